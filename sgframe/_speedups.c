/*
 * sgframe._speedups: a faster way to build the CDB classes of sgframe.cdb.
 *
 * Why this exists. Building READ(16) from seven keywords spends most of its time outside
 * the codec, in two places CPython gives pure Python no way around:
 *
 * 1. type.__call__ gathers the keyword arguments into a dict and unpacks that dict again
 *    to call __new__: about a microsecond. Every type object has a documented
 *    tp_vectorcall slot, "used to implement vectorcall for type.__call__". Pointing it at
 *    call_constructor below turns `Read16(lba=...)` into one vectorcall of the generated
 *    constructor the class keeps in `_fast_call`, keywords passed on as they came.
 * 2. The classes are frozen attrs classes, so each attribute store would go through a
 *    __setattr__ that refuses. An assembler (below) allocates the instance and fills its
 *    slots directly, as object.__setattr__ would, from values the generated Python code
 *    has already validated and packed.
 *
 * The codec itself stays in Python: validation, the struct layout and every error message
 * are generated once in sgframe/cdb.py, for this path and the plain one alike. Without
 * this module, or with SGFRAME_NO_SPEEDUPS set, the classes are called the ordinary way
 * and behave the same, only slower.
 *
 * The fast call must never change what calling the class means. So every call checks that
 * __init__ is still object's and __new__ is still the one the constructor stands in for;
 * if anyone has replaced either (mock.patch, say), that call goes through type.__call__.
 * tp_vectorcall is never inherited, so a subclass goes through its own __new__; and only
 * classes whose metaclass is `type` are installed, since a metaclass's __call__ would be
 * skipped (and before CPython 3.12 the slot is ignored under one anyway).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* Interned at import: the class attribute holding (__new__, constructor), and "__new__". */
static PyObject *fast_call_name;
static PyObject *new_name;
/* The tp_dealloc of every class a class statement makes (read off one at import). */
static destructor python_class_dealloc;

/* Whether `type` can still be called through its constructor: 1 with a borrowed
   reference in *constructor, 0 if not (something changed), -1 with an exception set. */
static int
find_constructor(PyTypeObject *type, PyObject **constructor)
{
    if (Py_TYPE(type) != &PyType_Type || type->tp_init != PyBaseObject_Type.tp_init) {
        return 0;
    }
    PyObject *pair = PyDict_GetItemWithError(type->tp_dict, fast_call_name);
    if (pair == NULL || !PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
        return PyErr_Occurred() ? -1 : 0;
    }
    PyObject *new = PyDict_GetItemWithError(type->tp_dict, new_name);
    if (new != PyTuple_GET_ITEM(pair, 0)) {
        return PyErr_Occurred() ? -1 : 0;
    }
    *constructor = PyTuple_GET_ITEM(pair, 1);
    return 1;
}

/* What type.__call__ does with these arguments: the ordinary, slower call. */
static PyObject *
call_type(PyObject *cls, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *positional = PyTuple_New(nargs);
    PyObject *keywords = kwnames != NULL ? PyDict_New() : NULL;
    PyObject *result = NULL;
    if (positional == NULL || (kwnames != NULL && keywords == NULL)) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        PyTuple_SET_ITEM(positional, i, args[i]);
    }
    for (Py_ssize_t i = 0; kwnames != NULL && i < PyTuple_GET_SIZE(kwnames); i++) {
        if (PyDict_SetItem(keywords, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0) {
            goto done;
        }
    }
    result = Py_TYPE(cls)->tp_call(cls, positional, keywords);
done:
    Py_XDECREF(positional);
    Py_XDECREF(keywords);
    return result;
}

static PyObject *
call_constructor(PyObject *cls, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *constructor;
    int found = find_constructor((PyTypeObject *)cls, &constructor);
    if (found < 0) {
        return NULL;
    }
    if (found == 0) {
        return call_type(cls, args, nargsf, kwnames);
    }
    /* Hold it: the call could replace the class attribute it came from. */
    Py_INCREF(constructor);
    PyObject *result = PyObject_Vectorcall(constructor, args, nargsf, kwnames);
    Py_DECREF(constructor);
    return result;
}

static PyTypeObject *
python_class(PyObject *cls, const char *what)
{
    if (!PyType_Check(cls) || !PyType_HasFeature((PyTypeObject *)cls, Py_TPFLAGS_HEAPTYPE)) {
        PyErr_Format(PyExc_TypeError, "%s() takes a class defined in Python, got %R", what, cls);
        return NULL;
    }
    return (PyTypeObject *)cls;
}

static PyObject *
install_constructor(PyObject *Py_UNUSED(module), PyObject *cls)
{
    PyTypeObject *type = python_class(cls, "install_constructor");
    if (type == NULL) {
        return NULL;
    }
    if (Py_TYPE(type) != &PyType_Type) {
        PyErr_Format(PyExc_TypeError, "%s has a metaclass, whose __call__ the fast call would skip",
                     type->tp_name);
        return NULL;
    }
    if (type->tp_init != PyBaseObject_Type.tp_init) {
        PyErr_Format(PyExc_TypeError, "%s defines __init__, which the fast call would skip",
                     type->tp_name);
        return NULL;
    }
    PyObject *constructor;
    int found = find_constructor(type, &constructor);
    if (found < 0) {
        return NULL;
    }
    if (found == 0) {
        PyErr_Format(PyExc_TypeError, "%s.%U must be (its __new__, the constructor to call instead)",
                     type->tp_name, fast_call_name);
        return NULL;
    }
    if (!PyCallable_Check(constructor)) {
        PyErr_Format(PyExc_TypeError, "%s's constructor must be callable, got %R", type->tp_name,
                     constructor);
        return NULL;
    }
    type->tp_vectorcall = call_constructor;
    Py_RETURN_NONE;
}

static PyObject *
has_constructor(PyObject *Py_UNUSED(module), PyObject *cls)
{
    PyTypeObject *type = python_class(cls, "has_constructor");
    if (type == NULL) {
        return NULL;
    }
    PyObject *constructor;
    int found = type->tp_vectorcall == call_constructor ? find_constructor(type, &constructor) : 0;
    return found < 0 ? NULL : PyBool_FromLong(found);
}

/* --- assemblers ------------------------------------------------------------------ */

/* A callable that allocates an instance of `cls` and fills the slots at `offsets` with its
   positional arguments, in order. It holds `cls` strongly and is GC-aware: it lives in the
   globals of the class's own generated code, so class and assembler form a cycle that the
   collector must be able to see and break. */
typedef struct {
    PyObject_VAR_HEAD
    PyTypeObject *cls;
    vectorcallfunc vectorcall;
    Py_ssize_t offsets[1];  /* ob_size of them */
} Assembler;

static PyObject *
assemble(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Assembler *self = (Assembler *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (self->cls == NULL) {  /* cleared by the collector while breaking a cycle */
        PyErr_SetString(PyExc_TypeError, "this assembler's class is gone");
        return NULL;
    }
    int keywords = kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0;
    if (keywords || nargs != Py_SIZE(self)) {
        PyErr_Format(PyExc_TypeError, "the %s assembler takes %zd positional values, got %zd%s",
                     self->cls->tp_name, Py_SIZE(self), nargs, keywords ? " and keywords" : "");
        return NULL;
    }
    /* tp_alloc zeroes the object, so every slot starts unset, as after object.__new__. */
    PyObject *instance = self->cls->tp_alloc(self->cls, 0);
    if (instance == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        *(PyObject **)((char *)instance + self->offsets[i]) = args[i];
    }
    return instance;
}

static int
assembler_traverse(Assembler *self, visitproc visit, void *arg)
{
    Py_VISIT(self->cls);
    return 0;
}

static int
assembler_clear(Assembler *self)
{
    Py_CLEAR(self->cls);
    return 0;
}

static void
assembler_dealloc(Assembler *self)
{
    PyObject_GC_UnTrack(self);
    assembler_clear(self);
    PyObject_GC_Del(self);
}

static PyObject *
assembler_repr(Assembler *self)
{
    return PyUnicode_FromFormat("<sgframe._speedups assembler of %s, %zd slots>",
                                self->cls ? self->cls->tp_name : "nothing", Py_SIZE(self));
}

static PyTypeObject Assembler_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sgframe._speedups.Assembler",
    .tp_basicsize = offsetof(Assembler, offsets),
    .tp_itemsize = sizeof(Py_ssize_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Assembler, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)assembler_traverse,
    .tp_clear = (inquiry)assembler_clear,
    .tp_dealloc = (destructor)assembler_dealloc,
    .tp_repr = (reprfunc)assembler_repr,
    .tp_doc = "Made by assembler(): allocates an instance and sets its slots.",
};

/* The offset of the writable object slot `name` of `type`, or -1 with an exception set. */
static Py_ssize_t
slot_offset(PyTypeObject *type, PyObject *name)
{
    PyObject *descr = PyObject_GetAttr((PyObject *)type, name);
    if (descr == NULL) {
        return -1;
    }
    Py_ssize_t offset = -1;
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_TypeError, "%s.%U is not a slot", type->tp_name, name);
    }
    else if (!PyType_IsSubtype(type, PyDescr_TYPE(descr))) {
        /* A slot of some other class: its offset means nothing here. */
        PyErr_Format(PyExc_TypeError, "%s.%U is a slot of %s", type->tp_name, name,
                     PyDescr_TYPE(descr)->tp_name);
    }
    else {
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || (member->flags & READONLY)
            || member->offset < (Py_ssize_t)sizeof(PyObject)
            || member->offset + (Py_ssize_t)sizeof(PyObject *) > type->tp_basicsize) {
            PyErr_Format(PyExc_TypeError, "%s.%U is not a writable object slot",
                         type->tp_name, name);
        }
        else {
            offset = member->offset;
        }
    }
    Py_DECREF(descr);
    return offset;
}

static PyObject *
assembler(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "assembler(cls, names) takes a class and a tuple of slot names");
        return NULL;
    }
    PyTypeObject *type = python_class(args[0], "assembler");
    if (type == NULL) {
        return NULL;
    }
    /* Only classes defined in Python, down to object: skipping tp_new would skip whatever
       a base written in C sets up (a deque's blocks). Since 3.12 such bases can be heap
       types too, so a Python class is told by the deallocator every one of them shares. */
    for (PyTypeObject *base = type; base != &PyBaseObject_Type; base = base->tp_base) {
        if (base == NULL || base->tp_dealloc != python_class_dealloc) {
            PyErr_Format(PyExc_TypeError, "assembler() takes a class built on object, %s is built on %s",
                         type->tp_name, base ? base->tp_name : "nothing");
            return NULL;
        }
    }
    PyObject *names = args[1];
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    Assembler *self = PyObject_GC_NewVar(Assembler, &Assembler_Type, count);
    if (self == NULL) {
        return NULL;
    }
    Py_INCREF(type);
    self->cls = type;
    self->vectorcall = assemble;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t offset = slot_offset(type, PyTuple_GET_ITEM(names, i));
        for (Py_ssize_t j = 0; offset >= 0 && j < i; j++) {
            if (self->offsets[j] == offset) {
                /* A second store would leak the first value. */
                PyErr_Format(PyExc_ValueError, "slot %R is named twice", PyTuple_GET_ITEM(names, i));
                offset = -1;
            }
        }
        if (offset < 0) {
            Py_DECREF(self);  /* not tracked yet: dealloc untracks harmlessly */
            return NULL;
        }
        self->offsets[i] = offset;
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static PyMethodDef methods[] = {
    {"assembler", (PyCFunction)(void (*)(void))assembler, METH_FASTCALL,
     "assembler(cls, names)\n--\n\n"
     "A function that takes one value per slot name, in that order, and returns a new\n"
     "instance of ``cls`` with those slots set, bypassing any ``__setattr__``."},
    {"install_constructor", install_constructor, METH_O,
     "install_constructor(cls)\n--\n\n"
     "Make calling ``cls`` call the constructor in ``cls._fast_call = (__new__,\n"
     "constructor)`` directly, keywords and all, for as long as ``cls.__new__`` is that\n"
     "``__new__`` and ``cls.__init__`` is object's."},
    {"has_constructor", has_constructor, METH_O,
     "has_constructor(cls)\n--\n\n"
     "Whether calling ``cls`` goes straight to its constructor now."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sgframe._speedups",
    .m_doc = "A faster class call for sgframe's CDB classes (see sgframe.cdb).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    fast_call_name = PyUnicode_InternFromString("_fast_call");
    new_name = PyUnicode_InternFromString("__new__");
    if (fast_call_name == NULL || new_name == NULL || PyType_Ready(&Assembler_Type) < 0) {
        return NULL;
    }
    PyObject *probe = PyObject_CallFunction((PyObject *)&PyType_Type, "s(O){}", "probe",
                                            (PyObject *)&PyBaseObject_Type);
    if (probe == NULL) {
        return NULL;
    }
    python_class_dealloc = ((PyTypeObject *)probe)->tp_dealloc;
    Py_DECREF(probe);
    return PyModule_Create(&module);
}
