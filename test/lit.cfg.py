# -*- Python -*-
# The softmoe-mlir lit suite: FileCheck tests of every op, verifier and pass, and
# tests that execute compiled code against a reference.

import os
import shutil
import subprocess

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
tools = ["softmoe-opt", "softmoe-lsp-server", "softmoe-gpu-aot", "mlir-translate"]

# A sanitized build (SOFTMOE_SANITIZE, or the fuzzer build's ASan): every
# report aborts, so that a test expecting a failure (`not softmoe-opt ...`)
# cannot pass on a sanitizer report, and leaks count. Debian's mlir-opt is not
# instrumented but loads the instrumented plugins: it gets the ASan runtime
# preloaded (and no leak check: its leaks are upstream's).
if getattr(config, "softmoe_sanitize", False) or getattr(config, "softmoe_fuzzers", False):
    config.available_features.add("softmoe-sanitize")
    # allow_user_poisoning=0: the instrumented inline llvm::BumpPtrAllocator
    # code of the project and the uninstrumented one in libMLIR.so share slabs,
    # and only the former poisons them (docs/robustness.md).
    config.environment["ASAN_OPTIONS"] = ("abort_on_error=1:detect_leaks=1:strict_string_checks=1:"
                                          "allow_user_poisoning=0")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:abort_on_error=1"
    # Tools that link MPICH load UCX, whose libucm patches mmap's code at load
    # time; under ASan's interceptors that patch jumps into nowhere before
    # main. UCX's mmap hooks serve RDMA registration caches, which nothing here
    # uses.
    config.environment["UCX_MEM_MMAP_HOOK_MODE"] = "none"
    asan_rt = subprocess.run([config.cxx_compiler, "-print-file-name=libclang_rt.asan-x86_64.so"],
                             capture_output=True, text=True).stdout.strip()
    mlir_opt = os.path.join(config.llvm_tools_dir, "mlir-opt")
    tools.append(ToolSubst("mlir-opt", command=f"env LD_PRELOAD={asan_rt} "
                           f"ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:allow_user_poisoning=0 {mlir_opt}"))
else:
    tools.append("mlir-opt")
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The GoogleTest unit tests (unittests/), where GoogleTest was found.
if getattr(config, "softmoe_unittests", False):
    config.available_features.add("unittests")

# CPU features that some kernels need to run (the JIT compiles for the host).
try:
    with open("/proc/cpuinfo") as _f:
        _flags = next((l.split(":", 1)[1].split() for l in _f if l.startswith("flags")), [])
except OSError:
    _flags = []
# One feature per named --cpu target whose CPU features this host has
# (CPUTarget's llvmFeatures), so that each target's kernels run wherever they
# can: the AVX2 ones on AVX-512 machines too.
_have = set(_flags)
if {"avx2", "fma", "f16c"} <= _have:
    config.available_features.add("avx2")
if {"avx2", "fma", "f16c", "avx512f", "avx512vl", "avx512bw", "avx512dq"} <= _have:
    config.available_features.add("avx512")
if "avx512_bf16" in _flags and "avx512vl" in _flags:
    config.available_features.add("avx512bf16")

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
# The CUDA runtime library and AOT driver (lib/Runtime) are built where the
# configure step found cuda.h.
if getattr(config, "softmoe_cuda_runtime", "OFF") in ("ON", "1", "TRUE"):
    config.available_features.add("cuda-runtime")
    config.substitutions.append(("%cuda_stubs", os.path.join(
        os.environ.get("CUDA_HOME") or "/usr/local/cuda", "lib64", "stubs")))

# Expert parallelism across processes: softmoe-bench built with MPICH, and
# mpirun.mpich to start the ranks.
mpirun = shutil.which("mpirun.mpich")
if mpirun and getattr(config, "softmoe_have_mpi", "OFF") in ("ON", "1", "TRUE"):
    config.available_features.add("mpi")
    config.substitutions.append(("%mpirun", mpirun))

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
# oneDNN (Debian's libdnnl-dev) for the second CPU peer, bench/dnnl_softmoe.cpp.
# It is built with g++: libdnnl uses GNU OpenMP (libgomp), and the peer must set
# the thread count of that runtime, not of clang's libomp.
_gxx = shutil.which("g++")
if _gxx and os.path.exists("/usr/include/dnnl.hpp"):
    config.available_features.add("onednn")
    config.substitutions.append(("%gxx", _gxx))
