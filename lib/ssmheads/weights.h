/*
 * ssmheads/weights.h -- trained weights: .npy directories, .npz and
 * .safetensors, converted exactly (every binary float is a dyadic rational),
 * the layouts that turn a reference implementation's state_dict into a
 * model or an attention layer, and the recognizer that finds the SSM
 * modules of a checkpoint.
 *
 * Guarantee: a tensor that is decoded is exactly the file's numbers;
 * NaN or Inf, big-endian or Fortran-order arrays, truncated data, header
 * offsets past the end and wrong shapes are refused with the file and the
 * tensor named.  Opening a file parses the headers only: a tensor's data
 * is decoded when a layout asks for it, so tensors that no layout reads may
 * have any dtype (bool, strings, objects...).  No allocation in proportion
 * to a claimed size before the size is checked against the file and the
 * limits.  A layout computes what its reference module's forward pass
 * computes (doc/weights.md), uses every learned tensor that enters the
 * kernel, and refuses rather than guesses when a setting is ambiguous.
 */
#ifndef SSMHEADS_WEIGHTS_H
#define SSMHEADS_WEIGHTS_H

#include <ssmheads/attention.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSMH_TENSOR_MAX_DIM 8

typedef struct {
    char *name;
    char dtype[32];  /* the file's own dtype name: "F32", "C64", "<f4", "<c8", "|b1", "<U5" */
    int ndim;
    slong shape[SSMH_TENSOR_MAX_DIM];
    slong len;       /* product of the shape */
    int is_complex;  /* complex dtype: data holds len (re, im) pairs */
    int readable;    /* 1 if the dtype can be decoded exactly (floats, ints, bool, complex) */
    fmpq *data;      /* NULL until decoded (ssmh_weights_decode); row-major (C
                        order), complex as interleaved (re, im) like view_as_real */
    /* where the raw bytes are (private) */
    int kind_;
    int fortran_;
    const unsigned char *raw_;
    size_t nbytes_;
    unsigned char *own_;
} ssmh_tensor_struct;

typedef struct {
    slong n;
    ssmh_tensor_struct *t;
    unsigned char *buf_;   /* the file's bytes when tensors point into them */
} ssmh_weights_struct;
typedef ssmh_weights_struct ssmh_weights_t[1];

void ssmh_weights_init(ssmh_weights_t w);
void ssmh_weights_clear(ssmh_weights_t w);
/* Open a directory of .npy files, a .npz or a .safetensors file (by
   extension): parse every header, decode nothing. */
int ssmh_weights_open(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim,
                      ssmh_error_t *err);
/* Add a tensor from memory (the bytes are copied): dtype by its safetensors
   name ("F32", "F64", "BF16", "C64", "BOOL", "I64", ...) or numpy descr
   ("<f4", "<c16", "|b1", ...), little-endian, C order; nbytes must be the
   shape's element count times the element size.  For bindings that hold a
   state_dict in memory (w from ssmh_weights_init, then add, then import or
   recognize as for a file).  data NULL adds the tensor by dtype and shape
   only (nbytes is ignored, nothing is allocated for its elements, and the
   element-count limit of tensors with data does not apply; any dtype name
   is taken, an unknown one as unreadable, as in a file): it is listed and
   recognized like any other, and decoding it is refused with SSMH_E_VALUE
   ("given ... without its data") -- for recognizing the modules of a large
   state_dict without copying its weights. */
int ssmh_weights_add(ssmh_weights_t w, const char *name, const char *dtype, int ndim,
                     const slong *shape, const void *data, size_t nbytes, ssmh_error_t *err);
/* Open and decode every tensor (fails on the first unreadable one). */
int ssmh_weights_read(ssmh_weights_t w, const char *path, const ssmh_limits_t *lim,
                      ssmh_error_t *err);
/* Decode one tensor's data (no-op if already decoded). */
int ssmh_weights_decode(ssmh_weights_t w, ssmh_tensor_struct *t, const char *file,
                        ssmh_error_t *err);
/* The tensor named prefix + name, or NULL (borrowed). */
ssmh_tensor_struct *ssmh_weights_get(const ssmh_weights_t w, const char *prefix,
                                     const char *name);

/* ---- layouts -------------------------------------------------------------- */

/* Settings of a reference module that only its constructor knows.  Each
   default is the reference implementation's default; `source` records the
   value used and whether it was given. */
typedef enum {
    SSMH_TRANSFORM_NONE = 0, SSMH_TRANSFORM_EXP, SSMH_TRANSFORM_RELU,
    SSMH_TRANSFORM_SIGMOID, SSMH_TRANSFORM_SOFTPLUS
} ssmh_transform_t;

typedef struct {
    const char *layout;   /* dense, diag, s4d, s5, lru, mamba2 (borrowed) */
    const char *prefix;   /* the SSM module's path ("" for none; a missing
                             trailing dot is added) (borrowed) */
    int bilinear;         /* s4d (s4.py and flat forms), s5: bilinear instead of ZOH */
    int output_re;        /* s5: conj_sym = False, y = Re(C x) */
    slong bits;           /* rounding precision of exp/ZOH results (53) */
    slong headdim;        /* mamba2: 0 = from the checkpoint's shapes */
    slong ngroups;        /* mamba2: 0 = from the shapes of B and C */
    /* s4.py SSMKernelDiag */
    ssmh_transform_t dt_transform;   /* exp */
    ssmh_transform_t real_transform; /* exp */
    ssmh_transform_t imag_transform; /* none */
    int dt_fast;                     /* 0 */
    int swap_channels;               /* FFTConv: 0, outputs ordered (c h) */
    char bandlimit[64];              /* "" = None */
    /* S5SSM */
    int clip_eigs;                   /* 0 */
    char step_rescale[64];           /* "" = 1 */
    /* Mamba2 */
    char dt_limit[128];              /* "" = (0, inf); else "LO,HI" */
    unsigned given;                  /* bit set of SSMH_OPT_* given explicitly */
} ssmh_import_opts_t;

enum {
    SSMH_OPT_DISCRETIZATION = 1u << 0, SSMH_OPT_CONJ_SYM = 1u << 1, SSMH_OPT_PRECISION = 1u << 2,
    SSMH_OPT_HEADDIM = 1u << 3, SSMH_OPT_NGROUPS = 1u << 4, SSMH_OPT_DT_TRANSFORM = 1u << 5,
    SSMH_OPT_REAL_TRANSFORM = 1u << 6, SSMH_OPT_IMAG_TRANSFORM = 1u << 7, SSMH_OPT_DT_FAST = 1u << 8,
    SSMH_OPT_SWAP_CHANNELS = 1u << 9, SSMH_OPT_BANDLIMIT = 1u << 10, SSMH_OPT_CLIP_EIGS = 1u << 11,
    SSMH_OPT_STEP_RESCALE = 1u << 12, SSMH_OPT_DT_LIMIT = 1u << 13
};

void ssmh_import_opts_default(ssmh_import_opts_t *o);
/* Set one layout option by its command-line name without the dashes
   ("discretization", "conj-sym", "output", "precision", "headdim",
   "ngroups", "dt-transform", "real-transform", "imag-transform",
   "dt-fast", "swap-channels", "bandlimit", "clip-eigs", "step-rescale",
   "dt-limit"); flags take "true"/"false".  SSMH_E_USAGE names the option
   and the values it takes; "layout" and "prefix" are not handled here
   (they are borrowed pointers the caller sets). */
int ssmh_import_opts_set(ssmh_import_opts_t *o, const char *key, const char *val,
                         ssmh_error_t *err);
/* Is `layout` a model layout (dense, diag, s4d, s5, lru, mamba2)? */
int ssmh_import_is_model_layout(const char *layout);

/* Build the model of o->layout from w.  notes (if not NULL) receives a new
   JSON array of one-line strings for the user: the tensors under the
   prefix that the kernel does not use, a missing D that the reference
   module normally has.  file names the checkpoint in errors and `source`. */
int ssmh_import_weights(ssmh_model_t m, json_t **notes, ssmh_weights_t w,
                        const ssmh_import_opts_t *o, const char *file,
                        const ssmh_limits_t *lim, ssmh_error_t *err);
/* Open the checkpoint at `path` and import (notes as above; may be NULL). */
int ssmh_import_file(ssmh_model_t m, json_t **notes, const char *path,
                     const ssmh_import_opts_t *o, const ssmh_limits_t *lim,
                     ssmh_error_t *err);
/* The same without notes (the batch path uses this). */
int ssmh_import_model_file(ssmh_model_t m, const char *path, const ssmh_import_opts_t *o,
                           const ssmh_limits_t *lim, ssmh_error_t *err);
/* attention: W_V (H x d_h x d) and W_O (H x p x d_h), or V (H x p x d). */
int ssmh_import_attention(ssmh_attention_t a, ssmh_weights_t w, const char *prefix,
                          const char *file, const ssmh_limits_t *lim, ssmh_error_t *err);

/* ---- the recognizer ------------------------------------------------------ */

/* Every tensor, as a new JSON array of {"name", "dtype", "shape": [..],
   "complex": bool}. */
json_t *ssmh_weights_tensors_json(const ssmh_weights_t w);
/* Every SSM module found among the tensors of w, as a new JSON array, in
   the order of the tensor names.  Nothing is decoded.  Each element:
     "layout":  "s4d" | "s5" | "lru" | "mamba2" | "dense" | "diag" | "attention"
     "form":    which reference module ("s4d.py S4D", "s4.py FFTConv
                (SSMKernelDiag)", "S5 S5SSM", "minimal-LRU LRU",
                "LRU-pytorch LRU", "mamba_ssm Mamba2", ...)
     "prefix":  the module's path, to pass as --prefix
     "sizes":   an object of the sizes the shapes fix: s4d {"H", "N",
                "channels", "n_ssm"}, s5 {"H", "P"}, lru {"N", "d_in",
                "d_out"}, mamba2 {"nheads", "headdim", "ngroups",
                "d_state", "d_ssm"} (each only when fixed), dense/diag
                {"N", "d", "p"}
     "assumed": the constructor settings the file cannot show, each with the
                reference default that "args" imply ({"--discretization":
                "zoh", ...}); give the option if the module was built otherwise
     "args":    the import arguments ["--layout", L, "--prefix", P, ...]
                (options the module needs are included when the file fixes
                them, e.g. "--ngroups")
     "importable": true when `ssmheads import` with "args" succeeds on the
                shapes (the values are not checked: nothing is decoded);
     "problem": when not importable, the message the import would give
                (e.g. a Mamba-2 module without a frozen slice, a
                bidirectional kernel, an ambiguous ngroups).
   Python bindings call this (and ssmh_weights_inspect) for from_module and
   scan. */
json_t *ssmh_weights_recognize(const ssmh_weights_t w);
/* Open `path` (headers only) and return a new object {"file", "tensors",
   "modules"} as above. */
int ssmh_weights_inspect(json_t **out, const char *path, const ssmh_limits_t *lim,
                         ssmh_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
