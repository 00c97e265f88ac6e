import CHDF5

/// What a stored dataset is, for `vrnn inspect`.
public struct DatasetDescription: Sendable {
    public let name: String
    public let shape: [Int]
    /// numpy-style element type: float32, int64, uint8, ...
    public let dtype: String
}

extension HDF5File {
    /// Every dataset in the file, by full path without the leading slash, in name order.
    public func datasetNames() throws -> [String] {
        final class Found { var names: [String] = [] }
        let found = Found()
        let status = H5Lvisit(id, H5_INDEX_NAME, H5_ITER_INC, { group, name, _, context in
            guard let name, let context else { return -1 }
            let dataset = H5Dopen2(group, name, hid_t(H5P_DEFAULT))  // fails quietly for groups
            if dataset >= 0 {
                H5Dclose(dataset)
                Unmanaged<Found>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            }
            return 0
        }, Unmanaged.passUnretained(found).toOpaque())
        guard status >= 0 else { throw HDF5Error("\(path): cannot list the file's contents (corrupt?)") }
        return found.names
    }

    /// The shape and element type of the dataset at `name`.
    public func describe(_ name: String) throws -> DatasetDescription {
        let dataset = H5Dopen2(id, name, hid_t(H5P_DEFAULT))
        guard dataset >= 0 else { throw HDF5Error("\(path): missing dataset \(name)") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset), type = H5Dget_type(dataset)
        defer { H5Sclose(space); H5Tclose(type) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let bits = H5Tget_size(type) * 8
        let dtype: String
        switch H5Tget_class(type) {
        case H5T_FLOAT: dtype = "float\(bits)"
        case H5T_INTEGER: dtype = (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(bits)"
        case H5T_STRING: dtype = "string"
        default: dtype = "other"
        }
        return DatasetDescription(name: name, shape: rank == 0 ? [] : dims.prefix(rank).map { Int($0) }, dtype: dtype)
    }

    /// Every group and dataset in the file, by full path without the leading slash, in name order.
    public func objectNames() throws -> [String] {
        final class Found { var names: [String] = [] }
        let found = Found()
        let status = H5Lvisit(id, H5_INDEX_NAME, H5_ITER_INC, { _, name, _, context in
            guard let name, let context else { return -1 }
            Unmanaged<Found>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }, Unmanaged.passUnretained(found).toOpaque())
        guard status >= 0 else { throw HDF5Error("\(path): cannot list the file's contents (corrupt?)") }
        return found.names
    }

    /// The names of the attributes of `object` ("/" for the root), in name order.
    public func attributeNames(of object: String = "/") throws -> [String] {
        final class Found { var names: [String] = [] }
        let found = Found()
        var index: hsize_t = 0
        let status = H5Aiterate_by_name(id, object, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, context in
            guard let name, let context else { return -1 }
            Unmanaged<Found>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }, Unmanaged.passUnretained(found).toOpaque(), hid_t(H5P_DEFAULT))
        guard status >= 0 else { throw HDF5Error("\(path): cannot list the attributes of \(object) (corrupt?)") }
        return found.names
    }
}
