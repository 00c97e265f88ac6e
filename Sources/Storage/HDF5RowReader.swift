import CHDF5

/// Rows of a 1-D [N] or 2-D [N, D] dataset read on demand by hyperslab, so a reader holds only
/// the rows it asks for. HDF5 converts the stored type to the requested one.
public final class HDF5RowReader {
    let file: HDF5File
    let name: String
    private let dataset: hid_t
    private let space: hid_t
    /// Rows N and values per row D (1 for a 1-D dataset).
    public let rows: Int
    public let width: Int
    let rank: Int
    /// Integer or floating point, as stored.
    let storedClass: H5T_class_t

    init(_ file: HDF5File, _ name: String) throws {
        guard file.exists(name) else { throw HDF5Error("\(file.path): missing dataset /\(name)") }
        // A chunk cache large enough for every stream's current chunk or two (chunks hold about
        // 64k values), so each compressed chunk is inflated once while the streams cross it;
        // bounded, whatever the data's size.
        let access = H5Pcreate(chdf5_dataset_access_plist())
        defer { H5Pclose(access) }
        H5Pset_chunk_cache(access, 4099, 16 << 20, 1.0)
        let dataset = H5Dopen2(file.id, name, access)
        guard dataset >= 0 else { throw HDF5Error("\(file.path): /\(name) is not a dataset") }
        let space = H5Dget_space(dataset)
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let type = H5Dget_type(dataset)
        storedClass = H5Tget_class(type)
        H5Tclose(type)
        self.file = file
        self.name = name
        self.dataset = dataset
        self.space = space
        self.rank = rank
        rows = rank >= 1 ? Int(dims[0]) : 0
        width = rank == 2 ? Int(dims[1]) : 1
    }

    /// Throws unless the stored values are of T's class (integer or floating point).
    func expect<T: HDF5Storable>(_: T.Type) throws {
        guard storedClass == T.typeClass else {
            let found = (try? file.describe(name).dtype) ?? "another type", wanted = T.typeClass == H5T_FLOAT ? "floating point" : "integer"
            throw HDF5Error("\(file.path): /\(name) holds \(found) but \(wanted) values are expected")
        }
    }

    deinit {
        H5Sclose(space)
        H5Dclose(dataset)
    }

    /// Rows `range` into `destination` ([range.count * width] values of T).
    public func read<T: HDF5Storable>(_ range: Range<Int>, into destination: UnsafeMutablePointer<T>) throws {
        guard !range.isEmpty else { return }
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of \(rows)")
        var start: [hsize_t] = [hsize_t(range.lowerBound), 0], count: [hsize_t] = [hsize_t(range.count), hsize_t(width)]
        let memory = H5Screate_simple(Int32(rank), &count, nil)
        defer { H5Sclose(memory) }
        guard H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil) >= 0,
              H5Dread(dataset, T.memoryType, memory, space, hid_t(H5P_DEFAULT), destination) >= 0 else {
            throw HDF5Error("\(file.path): cannot read rows \(range.lowerBound)..<\(range.upperBound) of /\(name): "
                            + "its checksum does not match or its data is corrupt; the file is damaged")
        }
    }
}
