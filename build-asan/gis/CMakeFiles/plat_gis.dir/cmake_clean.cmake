file(REMOVE_RECURSE
  "CMakeFiles/plat_gis.dir/crs.c.o"
  "CMakeFiles/plat_gis.dir/crs.c.o.d"
  "CMakeFiles/plat_gis.dir/gcj02.c.o"
  "CMakeFiles/plat_gis.dir/gcj02.c.o.d"
  "CMakeFiles/plat_gis.dir/geos.c.o"
  "CMakeFiles/plat_gis.dir/geos.c.o.d"
  "CMakeFiles/plat_gis.dir/index.c.o"
  "CMakeFiles/plat_gis.dir/index.c.o.d"
  "CMakeFiles/plat_gis.dir/measure.c.o"
  "CMakeFiles/plat_gis.dir/measure.c.o.d"
  "CMakeFiles/plat_gis.dir/units.c.o"
  "CMakeFiles/plat_gis.dir/units.c.o.d"
  "libplat_gis.a"
  "libplat_gis.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/plat_gis.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
