
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/tests/unit/gis/test_geos.c" "tests/unit/gis/CMakeFiles/test_gis_geos.dir/test_geos.c.o" "gcc" "tests/unit/gis/CMakeFiles/test_gis_geos.dir/test_geos.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-asan/gis/CMakeFiles/plat_gis.dir/DependInfo.cmake"
  "/work/main/build-asan/util/CMakeFiles/plat_util.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
