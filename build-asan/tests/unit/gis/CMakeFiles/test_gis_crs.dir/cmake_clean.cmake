file(REMOVE_RECURSE
  "CMakeFiles/test_gis_crs.dir/test_crs.c.o"
  "CMakeFiles/test_gis_crs.dir/test_crs.c.o.d"
  "test_gis_crs"
  "test_gis_crs.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_gis_crs.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
