
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/gis/crs.c" "gis/CMakeFiles/plat_gis.dir/crs.c.o" "gcc" "gis/CMakeFiles/plat_gis.dir/crs.c.o.d"
  "/work/main/gis/gcj02.c" "gis/CMakeFiles/plat_gis.dir/gcj02.c.o" "gcc" "gis/CMakeFiles/plat_gis.dir/gcj02.c.o.d"
  "/work/main/gis/geos.c" "gis/CMakeFiles/plat_gis.dir/geos.c.o" "gcc" "gis/CMakeFiles/plat_gis.dir/geos.c.o.d"
  "/work/main/gis/index.c" "gis/CMakeFiles/plat_gis.dir/index.c.o" "gcc" "gis/CMakeFiles/plat_gis.dir/index.c.o.d"
  "/work/main/gis/measure.c" "gis/CMakeFiles/plat_gis.dir/measure.c.o" "gcc" "gis/CMakeFiles/plat_gis.dir/measure.c.o.d"
  "/work/main/gis/units.c" "gis/CMakeFiles/plat_gis.dir/units.c.o" "gcc" "gis/CMakeFiles/plat_gis.dir/units.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-asan/util/CMakeFiles/plat_util.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
