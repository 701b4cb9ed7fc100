file(REMOVE_RECURSE
  "CMakeFiles/plat_importers.dir/import_geometry.c.o"
  "CMakeFiles/plat_importers.dir/import_geometry.c.o.d"
  "CMakeFiles/plat_importers.dir/import_township.c.o"
  "CMakeFiles/plat_importers.dir/import_township.c.o.d"
  "CMakeFiles/plat_importers.dir/ogr_source.c.o"
  "CMakeFiles/plat_importers.dir/ogr_source.c.o.d"
  "libplat_importers.a"
  "libplat_importers.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/plat_importers.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
