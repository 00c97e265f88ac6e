import CHDF5

/// Element types vrnn reads and writes: how each is stored (little-endian, ARCHITECTURE §6) and
/// held in memory (HDF5 converts between the two).
public protocol HDF5Storable {
    static var fileType: hid_t { get }
    static var memoryType: hid_t { get }
}

extension HDF5Storable {
    /// Integer or floating point: a reader of one refuses a file that stores the other.
    static var typeClass: H5T_class_t { H5Tget_class(memoryType) }
}
extension Float: HDF5Storable {
    public static var fileType: hid_t { chdf5_ieee_f32le() }
    public static var memoryType: hid_t { chdf5_native_float() }
}
extension Double: HDF5Storable {
    public static var fileType: hid_t { chdf5_ieee_f64le() }
    public static var memoryType: hid_t { chdf5_native_double() }
}
extension Int32: HDF5Storable {
    public static var fileType: hid_t { chdf5_std_i32le() }
    public static var memoryType: hid_t { chdf5_native_int32() }
}
extension Int64: HDF5Storable {
    public static var fileType: hid_t { chdf5_std_i64le() }
    public static var memoryType: hid_t { chdf5_native_int64() }
}
extension UInt8: HDF5Storable {
    public static var fileType: hid_t { chdf5_std_u8le() }
    public static var memoryType: hid_t { chdf5_native_uint8() }
}
