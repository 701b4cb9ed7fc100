
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/build-asan/tests/headertest/common.c" "tests/CMakeFiles/plat_headertest.dir/headertest/common.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/common.c.o.d"
  "/work/main/build-asan/tests/headertest/gis.c" "tests/CMakeFiles/plat_headertest.dir/headertest/gis.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/gis.c.o.d"
  "/work/main/build-asan/tests/headertest/import.c" "tests/CMakeFiles/plat_headertest.dir/headertest/import.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/import.c.o.d"
  "/work/main/build-asan/tests/headertest/locate.c" "tests/CMakeFiles/plat_headertest.dir/headertest/locate.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/locate.c.o.d"
  "/work/main/build-asan/tests/headertest/plat.c" "tests/CMakeFiles/plat_headertest.dir/headertest/plat.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/plat.c.o.d"
  "/work/main/build-asan/tests/headertest/store.c" "tests/CMakeFiles/plat_headertest.dir/headertest/store.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/store.c.o.d"
  "/work/main/build-asan/tests/headertest/units.c" "tests/CMakeFiles/plat_headertest.dir/headertest/units.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/units.c.o.d"
  "/work/main/build-asan/tests/headertest/util.c" "tests/CMakeFiles/plat_headertest.dir/headertest/util.c.o" "gcc" "tests/CMakeFiles/plat_headertest.dir/headertest/util.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
