// swift-tools-version:6.0
import PackageDescription

// Module graph (arrows point down only, see docs/ARCHITECTURE-NOTES in README):
//   vrnn (executable) -> Training, Cluster, Storage, VRNN, Kernels
//   Cluster -> Training (Collective protocol), CMPI
//   Training -> VRNN, Kernels
//   Storage -> CHDF5
//   Pen -> Kernels (the pen-trajectory tasks, their shape classifier and SVG drawings)
//   VRNN -> Kernels
//   Kernels -> CBLAS
let package = Package(
    name: "vrnn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vrnn", targets: ["vrnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(name: "Kernels", dependencies: ["CBLAS"]),
        .target(name: "VRNN", dependencies: ["Kernels"]),
        .target(name: "Training", dependencies: ["VRNN", "Kernels"]),
        .target(name: "Cluster", dependencies: ["Training", "CMPI"]),
        .target(name: "Storage", dependencies: ["CHDF5"]),
        .target(name: "Pen", dependencies: ["Kernels"]),
        .executableTarget(
            name: "vrnn",
            dependencies: [
                "Kernels", "VRNN", "Training", "Cluster", "Storage", "Pen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "VRNNTests", dependencies: ["VRNN", "Kernels", "Training", "Storage"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "CHDF5"]),
        .testTarget(name: "PenTests", dependencies: ["Pen"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "VRNN", "Kernels", "Cluster", "Storage"]),
    ]
)
