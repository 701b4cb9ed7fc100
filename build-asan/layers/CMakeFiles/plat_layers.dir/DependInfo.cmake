
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/layers/category.c" "layers/CMakeFiles/plat_layers.dir/category.c.o" "gcc" "layers/CMakeFiles/plat_layers.dir/category.c.o.d"
  "/work/main/layers/locate.c" "layers/CMakeFiles/plat_layers.dir/locate.c.o" "gcc" "layers/CMakeFiles/plat_layers.dir/locate.c.o.d"
  "/work/main/layers/project.c" "layers/CMakeFiles/plat_layers.dir/project.c.o" "gcc" "layers/CMakeFiles/plat_layers.dir/project.c.o.d"
  "/work/main/layers/schema.c" "layers/CMakeFiles/plat_layers.dir/schema.c.o" "gcc" "layers/CMakeFiles/plat_layers.dir/schema.c.o.d"
  "/work/main/layers/store.c" "layers/CMakeFiles/plat_layers.dir/store.c.o" "gcc" "layers/CMakeFiles/plat_layers.dir/store.c.o.d"
  "/work/main/layers/township.c" "layers/CMakeFiles/plat_layers.dir/township.c.o" "gcc" "layers/CMakeFiles/plat_layers.dir/township.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-asan/gis/CMakeFiles/plat_gis.dir/DependInfo.cmake"
  "/work/main/build-asan/util/CMakeFiles/plat_util.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
