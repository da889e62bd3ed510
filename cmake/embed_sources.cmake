# SPDX-License-Identifier: BSD-3-Clause
# Turns OpenCL C files into one C source of NUL-terminated char arrays, so the
# plugin carries its kernels and never looks for files at run time.
#   cmake -DOUTPUT=out.c -DINPUTS="a.cl|b.cl" -P embed_sources.cmake
# Array names: pgemm_cl_<basename without extension>.
set(body "/* Generated from cl_kernels/ by cmake/embed_sources.cmake: do not edit. */\n")
string(REPLACE "|" ";" INPUTS "${INPUTS}")
foreach(path IN LISTS INPUTS)
  get_filename_component(stem "${path}" NAME_WE)
  file(READ "${path}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" hex "${hex}")
  string(APPEND body "const char pgemm_cl_${stem}[] = {\n${hex}0x00};\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "${body}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
