file(REMOVE_RECURSE
  "CMakeFiles/plat_layers.dir/category.c.o"
  "CMakeFiles/plat_layers.dir/category.c.o.d"
  "CMakeFiles/plat_layers.dir/locate.c.o"
  "CMakeFiles/plat_layers.dir/locate.c.o.d"
  "CMakeFiles/plat_layers.dir/project.c.o"
  "CMakeFiles/plat_layers.dir/project.c.o.d"
  "CMakeFiles/plat_layers.dir/schema.c.o"
  "CMakeFiles/plat_layers.dir/schema.c.o.d"
  "CMakeFiles/plat_layers.dir/store.c.o"
  "CMakeFiles/plat_layers.dir/store.c.o.d"
  "CMakeFiles/plat_layers.dir/township.c.o"
  "CMakeFiles/plat_layers.dir/township.c.o.d"
  "libplat_layers.a"
  "libplat_layers.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/plat_layers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
