# The source distribution: the library's C sources and headers copied flat
# into one directory, with manifest.json saying how to compile them (see
# docs/source-distribution.md). The npm package, the Go module and the Java
# build compile from it instead of from an installed liblakebase.
#
#   cmake -D OUT=<dir> -P scripts/source-dist.cmake
#
# <dir> must be absent, empty or an earlier source distribution (it is
# replaced whole).
cmake_minimum_required(VERSION 3.20)
if(NOT OUT)
  message(FATAL_ERROR "usage: cmake -D OUT=<dir> -P scripts/source-dist.cmake")
endif()
get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
get_filename_component(out "${OUT}" ABSOLUTE)
include("${root}/cmake/lakebase_library.cmake")

lakebase_library_files("${root}" sources headers)
if(NOT sources)
  message(FATAL_ERROR "no C sources under ${root} (${LAKEBASE_SOURCE_GLOBS})")
endif()

# Flat names must stay unique: two files with one name would overwrite each
# other in every package.
set(names "")
foreach(file ${sources} ${headers})
  get_filename_component(name "${file}" NAME)
  file(RELATIVE_PATH relative "${root}" "${file}")
  if(DEFINED origin_${name})
    message(FATAL_ERROR "${relative} and ${origin_${name}} share the name ${name}; "
      "the source distribution is flat, so rename one of them")
  endif()
  set(origin_${name} "${relative}")
  list(APPEND names "${name}")
endforeach()

if(EXISTS "${out}")
  file(GLOB existing "${out}/*")
  if(existing AND NOT EXISTS "${out}/manifest.json")
    message(FATAL_ERROR "${out} is not empty and holds no earlier source distribution; "
      "refusing to replace it")
  endif()
  file(REMOVE_RECURSE "${out}")
endif()
file(MAKE_DIRECTORY "${out}")
file(COPY ${sources} ${headers} DESTINATION "${out}")

# The version, from the public header (the contract carries it).
file(STRINGS "${root}/${LAKEBASE_PUBLIC_HEADER}" version_lines
  REGEX "^#define LAKEBASE_VERSION_(MAJOR|MINOR|PATCH) ")
set(version "")
foreach(part MAJOR MINOR PATCH)
  string(REGEX MATCH "LAKEBASE_VERSION_${part} ([0-9]+)" _ "${version_lines}")
  list(APPEND version "${CMAKE_MATCH_1}")
endforeach()
list(JOIN version "." version)

# manifest.json, written by hand: every value is a plain string without
# quotes or backslashes.
function(json_array out)
  set(items "")
  foreach(item ${ARGN})
    list(APPEND items "\"${item}\"")
  endforeach()
  list(JOIN items ", " joined)
  set(${out} "[${joined}]" PARENT_SCOPE)
endfunction()

set(source_names "")
foreach(file ${sources})
  get_filename_component(name "${file}" NAME)
  list(APPEND source_names "${name}")
endforeach()
set(header_names "")
foreach(file ${headers})
  get_filename_component(name "${file}" NAME)
  list(APPEND header_names "${name}")
endforeach()
get_filename_component(public_header "${LAKEBASE_PUBLIC_HEADER}" NAME)
set(defines ${LAKEBASE_C_DEFINES})
set(cflags -std=c${LAKEBASE_C_STANDARD} -fvisibility=${LAKEBASE_C_VISIBILITY})

json_array(sources_json ${source_names})
json_array(headers_json ${header_names})
json_array(defines_json ${defines})
json_array(cflags_json ${cflags})
json_array(warnings_json ${LAKEBASE_C_WARNINGS})
json_array(libs_json ${LAKEBASE_SYSTEM_LIBS})
set(pkg_config_items "")
foreach(dependency ${LAKEBASE_PKG_CONFIG_DEPENDENCIES})
  lakebase_dependency("${dependency}" module name debian)
  list(APPEND pkg_config_items
    "{\"module\": \"${module}\", \"debian_package\": \"${debian}\"}")
endforeach()
list(JOIN pkg_config_items ",\n    " pkg_config_json)
set(origin_items "")
foreach(name ${names})
  list(APPEND origin_items "\"${name}\": \"${origin_${name}}\"")
endforeach()
list(JOIN origin_items ",\n    " origin_json)

file(WRITE "${out}/manifest.json" "{
  \"name\": \"liblakebase\",
  \"version\": \"${version}\",
  \"sources\": ${sources_json},
  \"headers\": ${headers_json},
  \"public_header\": \"${public_header}\",
  \"cflags\": ${cflags_json},
  \"defines\": ${defines_json},
  \"warnings\": ${warnings_json},
  \"pkg_config\": [
    ${pkg_config_json}
  ],
  \"libs\": ${libs_json},
  \"origin\": {
    ${origin_json}
  }
}
")
list(LENGTH source_names source_count)
list(LENGTH header_names header_count)
message(STATUS "source distribution ${version}: ${source_count} sources, "
  "${header_count} headers in ${out}")
