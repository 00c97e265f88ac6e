/// The thinned metrics rows a run draws its loss curves from, with how far each series' thinning
/// has gone, so a resumed run continues the same curve without rereading metrics.csv.
/// Stored as /metrics/curve, float64 [rows, columns] (the training series, then the validation
/// series), with int64 attributes `training_rows`, `training_spacing`, `training_arrived`,
/// `validation_spacing` and `validation_arrived`.
public struct MetricsCurve: Equatable, Sendable {
    /// One series: its kept rows [rows * columns], one row kept in `spacing`, `arrived` rows seen.
    public struct Series: Equatable, Sendable {
        public var rows: [Double]
        public var spacing: Int
        public var arrived: Int
        public init(rows: [Double], spacing: Int, arrived: Int) { self.rows = rows; self.spacing = spacing; self.arrived = arrived }
    }

    public var training: Series
    public var validation: Series
    public init(training: Series, validation: Series) { self.training = training; self.validation = validation }

    static let dataset = "metrics/curve"

    func write(columns: Int, _ writer: HDF5Writer) throws {
        let rows = training.rows + validation.rows
        try writer.write(rows, shape: [rows.count / columns, columns], to: Self.dataset)
        for (name, value) in [("training_rows", training.rows.count / columns), ("training_spacing", training.spacing),
                              ("training_arrived", training.arrived), ("validation_spacing", validation.spacing),
                              ("validation_arrived", validation.arrived)] {
            try writer.setAttribute(name, Int64(value), on: Self.dataset)
        }
    }

    /// The curve of `file`, nil when it predates curves.
    static func read(columns: Int, from file: HDF5File) throws -> MetricsCurve? {
        guard file.exists(dataset) else { return nil }
        let stored = try file.readDoubles(dataset)
        func count(_ name: String) throws -> Int {
            try CheckpointReader.wholeNumber(try file.doubleAttribute(name, of: dataset), "\(dataset) \(name)", file)
        }
        let trainingRows = try count("training_rows")
        guard stored.shape.count == 2, stored.shape[1] == columns, trainingRows <= stored.shape[0] else {
            throw HDF5Error("\(file.path): /\(dataset) has shape \(stored.shape) for \(columns) columns and \(trainingRows) training rows")
        }
        let split = trainingRows * columns
        return MetricsCurve(
            training: Series(rows: Array(stored.values[..<split]), spacing: try count("training_spacing"), arrived: try count("training_arrived")),
            validation: Series(rows: Array(stored.values[split...]), spacing: try count("validation_spacing"),
                               arrived: try count("validation_arrived")))
    }
}
