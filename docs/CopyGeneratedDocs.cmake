# Replaces the .md pages under DST with those under SRC, keeping the folders.
# ${MLIR_BINARY_DIR}/docs is also CMake's binary folder of docs/, so only .md
# files are taken from it.
#   cmake -DSRC=<build>/docs -DDST=<source>/docs/generated -P CopyGeneratedDocs.cmake
if(NOT SRC OR NOT DST)
  message(FATAL_ERROR "CopyGeneratedDocs.cmake needs -DSRC and -DDST")
endif()
file(GLOB_RECURSE pages RELATIVE ${SRC} ${SRC}/*.md)
if(NOT pages)
  message(FATAL_ERROR "no generated .md pages under ${SRC}")
endif()
file(GLOB_RECURSE old ${DST}/*.md)
if(old)
  file(REMOVE ${old})
endif()
foreach(page IN LISTS pages)
  get_filename_component(dir ${DST}/${page} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  file(COPY_FILE ${SRC}/${page} ${DST}/${page})
endforeach()
list(JOIN pages ", " names)
message(STATUS "docs/generated: ${names}")
