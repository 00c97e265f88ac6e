import CHDF5

/// What vrnn sets before its first HDF5 call.
enum HDF5Library {
    /// No error stack printed (vrnn reports each failure in one line of its own), and no
    /// library clean-up at exit: a file whose write failed on a full disk cannot be closed, and
    /// HDF5 closing it again at exit crashed inside libhdf5. vrnn closes every file it finishes.
    static let ready: Void = {
        H5dont_atexit()
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    }()
}
