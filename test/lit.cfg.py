# -*- Python -*-
# The softmoe-mlir lit suite: FileCheck tests of every op, verifier and pass, and
# tests that execute compiled code against a reference.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SOFTMOE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".c", ".py"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.softmoe_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%softmoe_src", config.softmoe_src_root))
config.substitutions.append(("%python", config.python_executable or "/usr/bin/python3"))
# The build tree and its tools, for tests that install it or configure another
# CMake project against it (test/Consumer).
config.substitutions.append(("%softmoe_obj", config.softmoe_obj_root))
config.substitutions.append(("%softmoe_libs", config.softmoe_lib_dir))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%cmake_configure",
    '"%s" -G "%s" -DCMAKE_MAKE_PROGRAM="%s" -DCMAKE_C_COMPILER="%s" '
    '-DCMAKE_CXX_COMPILER="%s"' % (config.cmake_command, config.cmake_generator,
                                   config.cmake_make_program, config.c_compiler,
                                   config.cxx_compiler)))
config.substitutions.append(("%cmake", '"%s"' % config.cmake_command))
# Include flags that let mlir-tblgen read the project's .td files (test/Docs).
config.substitutions.append(("%mlir_tblgen_includes", " ".join(
    "-I " + d for d in [os.path.join(config.softmoe_src_root, "include")] +
    [d for d in config.mlir_include_dirs.split(";") if d])))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP", "CUDA_HOME"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.softmoe_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.softmoe_tools_dir, config.llvm_tools_dir]
tools = ["softmoe-opt", "softmoe-lsp-server", "mlir-translate", "mlir-opt"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Optional tools become lit features, so tests that need them are skipped,
# not failed, where they are missing.
ptxas = shutil.which("ptxas") or (
    os.path.join(os.environ["CUDA_HOME"], "bin", "ptxas")
    if os.environ.get("CUDA_HOME") else None)
if ptxas and os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
if os.path.exists("/dev/nvidia0"):
    config.available_features.add("cuda-gpu")

# Executing compiled code on the host: mlir-runner with the runtime libraries
# printMemrefF32 lives in, and clang for the ahead-of-time path.
llvm_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
mlir_runner = os.path.join(config.llvm_tools_dir, "mlir-runner")
runner_libs = [os.path.join(llvm_lib_dir, "libmlir_" + n + "." + config.llvm_shlib_ext.lstrip("."))
               for n in ("runner_utils", "c_runner_utils")]
if os.path.exists(mlir_runner) and all(os.path.exists(l) for l in runner_libs):
    config.available_features.add("mlir-runner")
    config.substitutions.append(("%mlir_runner", mlir_runner))
    config.substitutions.append(("%runner_libs", ",".join(runner_libs)))
clang = shutil.which("clang-22", path=config.llvm_tools_dir + os.pathsep + os.environ.get("PATH", ""))
if clang:
    config.available_features.add("clang")
    config.substitutions.append(("%clang", clang))
if shutil.which("valgrind"):
    config.available_features.add("valgrind")
