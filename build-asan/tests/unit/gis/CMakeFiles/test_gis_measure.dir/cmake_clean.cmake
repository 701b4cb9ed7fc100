file(REMOVE_RECURSE
  "CMakeFiles/test_gis_measure.dir/test_measure.c.o"
  "CMakeFiles/test_gis_measure.dir/test_measure.c.o.d"
  "test_gis_measure"
  "test_gis_measure.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_gis_measure.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
