file(REMOVE_RECURSE
  "CMakeFiles/plat.dir/cmd_init.c.o"
  "CMakeFiles/plat.dir/cmd_init.c.o.d"
  "CMakeFiles/plat.dir/cmd_project.c.o"
  "CMakeFiles/plat.dir/cmd_project.c.o.d"
  "CMakeFiles/plat.dir/cmd_township.c.o"
  "CMakeFiles/plat.dir/cmd_township.c.o.d"
  "CMakeFiles/plat.dir/main.c.o"
  "CMakeFiles/plat.dir/main.c.o.d"
  "CMakeFiles/plat.dir/opt.c.o"
  "CMakeFiles/plat.dir/opt.c.o.d"
  "CMakeFiles/plat.dir/out.c.o"
  "CMakeFiles/plat.dir/out.c.o.d"
  "plat"
  "plat.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/plat.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
