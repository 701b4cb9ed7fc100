file(REMOVE_RECURSE
  "CMakeFiles/plat_headertest.dir/headertest/common.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/common.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/gis.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/gis.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/import.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/import.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/locate.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/locate.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/plat.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/plat.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/store.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/store.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/units.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/units.c.o.d"
  "CMakeFiles/plat_headertest.dir/headertest/util.c.o"
  "CMakeFiles/plat_headertest.dir/headertest/util.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/plat_headertest.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
