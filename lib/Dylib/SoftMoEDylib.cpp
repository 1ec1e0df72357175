//===- SoftMoEDylib.cpp - libSoftMoE.so -----------------------------------===//
//
// Intentionally empty: CMake wants a source for a library target. The code of
// libSoftMoE.so comes whole from SoftMoERegistration (see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//
