file(REMOVE_RECURSE
  "CMakeFiles/test_gis_geos.dir/test_geos.c.o"
  "CMakeFiles/test_gis_geos.dir/test_geos.c.o.d"
  "test_gis_geos"
  "test_gis_geos.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_gis_geos.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
