# Writes the Go package's copy of the C library: every file of a source
# distribution (scripts/source-dist.cmake) into the package directory, each
# marked generated and compiled only without the lakebase_system build tag,
# plus cgo_bundled.go with the manifest's flags. Files an earlier run wrote
# that the distribution no longer has are removed. `make go-sources` runs
# this; the ctest go.sources_up_to_date fails when the committed copy is
# stale.
#
#   cmake -D DIST=<source distribution> -D OUT=<Go package dir> -P scripts/go-sources.cmake
cmake_minimum_required(VERSION 3.20)
if(NOT DIST OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -D DIST=<dir> -D OUT=<dir> -P scripts/go-sources.cmake")
endif()
get_filename_component(dist "${DIST}" ABSOLUTE)
get_filename_component(out "${OUT}" ABSOLUTE)
file(READ "${dist}/manifest.json" manifest)

set(marker "// Code generated from ")
set(regenerate "// Regenerate with `make go-sources`; edit the original instead.")
set(constraint "//go:build !lakebase_system && cgo")

# json_strings(<out> <key>...): the JSON string array at <key> as a list.
function(json_strings out)
  string(JSON count LENGTH "${manifest}" ${ARGN})
  set(items "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON item GET "${manifest}" ${ARGN} ${i})
      list(APPEND items "${item}")
    endforeach()
  endif()
  set(${out} ${items} PARENT_SCOPE)
endfunction()

json_strings(sources sources)
json_strings(headers headers)
json_strings(cflags cflags)
json_strings(defines defines)
json_strings(libs libs)
string(JSON module_count LENGTH "${manifest}" pkg_config)
math(EXPR last_module "${module_count} - 1")
set(modules "")
set(debian_packages "")
foreach(i RANGE ${last_module})
  string(JSON module GET "${manifest}" pkg_config ${i} module)
  string(JSON debian GET "${manifest}" pkg_config ${i} debian_package)
  list(APPEND modules ${module})
  list(APPEND debian_packages ${debian})
endforeach()

# Go decides from a file's name alone whether to build it: names starting
# with _ or . are ignored, and a _<GOOS> or _<GOARCH> suffix restricts the
# file to that system. Neither may happen silently to a core file.
set(go_systems aix android darwin dragonfly freebsd hurd illumos ios js linux
  nacl netbsd openbsd plan9 solaris wasip1 windows zos)
set(go_architectures 386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips
  mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64
  s390 s390x sparc sparc64 wasm)
list(JOIN go_systems "|" systems_re)
list(JOIN go_architectures "|" architectures_re)
foreach(name ${sources} ${headers})
  string(JSON origin GET "${manifest}" origin "${name}")
  if(name MATCHES "^[_.]")
    message(FATAL_ERROR "${origin}: Go ignores files whose name starts with _ or .; rename it")
  endif()
  if(name MATCHES "_(${systems_re}|${architectures_re})(_(${architectures_re}))?\\.[ch]$")
    message(FATAL_ERROR "${origin}: Go would build it only for ${CMAKE_MATCH_1} because of "
      "its name; rename it (the build, not the name, must choose what compiles)")
  endif()
endforeach()

# Remove what an earlier run wrote; refuse to overwrite a file it did not.
file(GLOB previous "${out}/*.c" "${out}/*.h" "${out}/cgo_bundled.go")
foreach(file ${previous})
  file(STRINGS "${file}" first_line LIMIT_COUNT 1)
  get_filename_component(name "${file}" NAME)
  if(NOT first_line MATCHES "^// Code generated from ")
    message(FATAL_ERROR "${file} was not written by scripts/go-sources.cmake; "
      "move it away (a C file in the Go package is compiled into it)")
  endif()
  file(REMOVE "${file}")
endforeach()

foreach(name ${sources} ${headers})
  string(JSON origin GET "${manifest}" origin "${name}")
  file(READ "${dist}/${name}" content)
  file(WRITE "${out}/${name}"
    "${marker}${origin} by scripts/go-sources.cmake; DO NOT EDIT.\n"
    "${regenerate}\n\n${constraint}\n\n${content}")
endforeach()

list(TRANSFORM defines PREPEND "-D")
list(JOIN cflags " " cflags)
list(JOIN defines " " defines)
list(JOIN libs " " libs)
list(JOIN modules " " modules)
list(JOIN debian_packages " " debian_packages)
file(WRITE "${out}/cgo_bundled.go" "${marker}manifest.json by scripts/go-sources.cmake; DO NOT EDIT.
${regenerate}

${constraint}

package lakebase

// The C library is compiled from the files next to this one (copied from
// core/, bindings/src/ and include/) and linked into the program, so it
// needs no installed liblakebase and no LD_LIBRARY_PATH. Building needs a
// C compiler, pkg-config and ${debian_packages}.
// With -tags lakebase_system the package links an installed liblakebase
// instead (cgo_system.go).

/*
#cgo CFLAGS: -I\${SRCDIR} ${cflags} ${defines}
#cgo LDFLAGS: ${libs}
#cgo pkg-config: ${modules}
*/
import \"C\"
")
list(LENGTH sources source_count)
list(LENGTH headers header_count)
message(STATUS "Go package: ${source_count} C sources and ${header_count} headers in ${out}")
