#pragma once
// Internal: the LAPACK / BLAS routines hamsam calls (Fortran interface, LP64 integers) and OpenBLAS's thread
// control. The one place these are declared: every file of the library (and the C++ benchmarks) includes this.
// Character arguments get their hidden Fortran length at the end (gfortran ABI); the C-implemented OpenBLAS
// routines ignore it.
#include <cstddef>

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
