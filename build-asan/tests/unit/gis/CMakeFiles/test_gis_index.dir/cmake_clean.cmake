file(REMOVE_RECURSE
  "CMakeFiles/test_gis_index.dir/test_index.c.o"
  "CMakeFiles/test_gis_index.dir/test_index.c.o.d"
  "test_gis_index"
  "test_gis_index.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_gis_index.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
