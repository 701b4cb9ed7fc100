file(REMOVE_RECURSE
  "CMakeFiles/test_gis_gcj02.dir/test_gcj02.c.o"
  "CMakeFiles/test_gis_gcj02.dir/test_gcj02.c.o.d"
  "test_gis_gcj02"
  "test_gis_gcj02.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_gis_gcj02.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
