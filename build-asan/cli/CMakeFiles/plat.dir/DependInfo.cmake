
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/cli/cmd_init.c" "cli/CMakeFiles/plat.dir/cmd_init.c.o" "gcc" "cli/CMakeFiles/plat.dir/cmd_init.c.o.d"
  "/work/main/cli/cmd_project.c" "cli/CMakeFiles/plat.dir/cmd_project.c.o" "gcc" "cli/CMakeFiles/plat.dir/cmd_project.c.o.d"
  "/work/main/cli/cmd_township.c" "cli/CMakeFiles/plat.dir/cmd_township.c.o" "gcc" "cli/CMakeFiles/plat.dir/cmd_township.c.o.d"
  "/work/main/cli/main.c" "cli/CMakeFiles/plat.dir/main.c.o" "gcc" "cli/CMakeFiles/plat.dir/main.c.o.d"
  "/work/main/cli/opt.c" "cli/CMakeFiles/plat.dir/opt.c.o" "gcc" "cli/CMakeFiles/plat.dir/opt.c.o.d"
  "/work/main/cli/out.c" "cli/CMakeFiles/plat.dir/out.c.o" "gcc" "cli/CMakeFiles/plat.dir/out.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-asan/importers/CMakeFiles/plat_importers.dir/DependInfo.cmake"
  "/work/main/build-asan/layers/CMakeFiles/plat_layers.dir/DependInfo.cmake"
  "/work/main/build-asan/gis/CMakeFiles/plat_gis.dir/DependInfo.cmake"
  "/work/main/build-asan/util/CMakeFiles/plat_util.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
