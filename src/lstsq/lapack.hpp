#pragma once
// Internal: the LAPACK / BLAS routines hamsam calls (Fortran interface, LP64 integers) and OpenBLAS's thread
// control. The one place these are declared: every file of the library (and the C++ benchmarks) includes this.
// Character arguments get their hidden Fortran length at the end (gfortran ABI); the C-implemented OpenBLAS
// routines ignore it.
// Builds against an OpenBLAS whose symbols carry a prefix (scipy-openblas32 from PyPI: scipy_dgemm_,
// scipy_openblas_get_config, ...) define HAMSAM_BLAS_SYMBOL_PREFIX (CMake does, HAMSAM_DEPS=pypi): the names below
// are then mapped to the prefixed ones, so the code calls dgemm_ etc. either way.
#include <cstddef>

#ifndef HAMSAM_BLAS_SYMBOL_PREFIX
#define HAMSAM_BLAS_SYMBOL_PREFIX
#endif
#define HAMSAM_BLAS_CAT_(a, b) a##b
#define HAMSAM_BLAS_CAT(a, b) HAMSAM_BLAS_CAT_(a, b)
#define HAMSAM_BLAS_STR_(x) #x
#define HAMSAM_BLAS_STR(x) HAMSAM_BLAS_STR_(x)
/// The linked name of a BLAS/LAPACK/OpenBLAS symbol, as a string (for dlsym): HAMSAM_BLAS_SYMBOL("dgemm_").
#define HAMSAM_BLAS_SYMBOL(name) HAMSAM_BLAS_STR(HAMSAM_BLAS_SYMBOL_PREFIX) name

#define dgelsd_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgelsd_)
#define dgelsy_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgelsy_)
#define dgeqrf_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgeqrf_)
#define dgeqrt_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgeqrt_)
#define dtpqrt_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dtpqrt_)
#define dgeqrt3_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgeqrt3_)
#define dlarfb_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dlarfb_)
#define dtpqrt2_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dtpqrt2_)
#define dtprfb_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dtprfb_)
#define dtrcon_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dtrcon_)
#define dgesdd_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgesdd_)
#define dpotrf_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dpotrf_)
#define dpocon_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dpocon_)
#define dsyrk_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dsyrk_)
#define dgemm_ HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, dgemm_)
#define openblas_get_num_threads HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, openblas_get_num_threads)
#define openblas_set_num_threads HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, openblas_set_num_threads)
#define openblas_get_config HAMSAM_BLAS_CAT(HAMSAM_BLAS_SYMBOL_PREFIX, openblas_get_config)

extern "C" {
using lapack_len = std::size_t;

// Least squares.
void dgelsd_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             double* s, const double* rcond, int* rank, double* work, const int* lwork, int* iwork, int* info);
void dgelsy_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             int* jpvt, const double* rcond, int* rank, double* work, const int* lwork, int* info);

// QR: blocked (dgeqrf), recursive panels (dgeqrt), triangle on top of a (trapezoidal) block (dtpqrt).
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dgeqrt_(const int* m, const int* n, const int* nb, double* a, const int* lda, double* t, const int* ldt,
             double* work, int* info);
// dgeqrt's steps, called one panel at a time where a factorization must stop or report between them.
void dgeqrt3_(const int* m, const int* n, double* a, const int* lda, double* t, const int* ldt, int* info);
void dlarfb_(const char* side, const char* trans, const char* direct, const char* storev, const int* m,
             const int* n, const int* k, const double* v, const int* ldv, const double* t, const int* ldt, double* c,
             const int* ldc, double* work, const int* ldwork, lapack_len, lapack_len, lapack_len, lapack_len);
void dtpqrt2_(const int* m, const int* n, const int* l, double* a, const int* lda, double* b, const int* ldb,
              double* t, const int* ldt, int* info);
void dtprfb_(const char* side, const char* trans, const char* direct, const char* storev, const int* m,
             const int* n, const int* k, const int* l, const double* v, const int* ldv, const double* t,
             const int* ldt, double* a, const int* lda, double* b, const int* ldb, double* work, const int* ldwork,
             lapack_len, lapack_len, lapack_len, lapack_len);
void dtpqrt_(const int* m, const int* n, const int* l, const int* nb, double* a, const int* lda, double* b,
             const int* ldb, double* t, const int* ldt, double* work, int* info);
void dtrcon_(const char* norm, const char* uplo, const char* diag, const int* n, const double* a, const int* lda,
             double* rcond, double* work, int* iwork, int* info, lapack_len, lapack_len, lapack_len);

// SVD (divide and conquer).
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             lapack_len);

// Cholesky and the normal equations.
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, lapack_len);
void dpocon_(const char* uplo, const int* n, const double* a, const int* lda, const double* anorm, double* rcond,
             double* work, int* iwork, int* info, lapack_len);
void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha, const double* a,
            const int* lda, const double* beta, double* c, const int* ldc, lapack_len, lapack_len);
void dgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc, lapack_len, lapack_len);

// OpenBLAS.
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
char* openblas_get_config(void);
}
