// swift-tools-version:6.0
import PackageDescription

// Module graph (arrows point down only; docs/ARCHITECTURE.md says what each module owns and must
// never import):
//   CLI (the `vrnn` executable) -> Runs, Cluster, ArgumentParser
//   Runs -> Training, Storage, Drawing, Pen, VRNN, Kernels
//   Cluster -> Training (Collective protocol), CMPI
//   Training -> VRNN, Kernels
//   Drawing -> Pen
//   Pen -> Kernels
//   Storage -> CHDF5, CSndFile (libsndfile), CSV (yaslab/CSV.swift)
//   VRNN -> Kernels
//   Kernels -> CKernels (C: vectorised element-wise kernels over SLEEF, dispatched at run time), CBLAS
let package = Package(
    name: "vrnn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vrnn", targets: ["CLI"]),
        // Train, checkpoint, evaluate and sample a VRNN from a Swift program (docs/LIBRARY.md).
        .library(name: "VRNNKit", targets: ["Runs", "Training", "Cluster", "Storage", "Drawing", "Pen", "VRNN", "Kernels", "CKernels"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),

        // One binary for every CPU: the AVX-512 and AVX2 paths are compiled by target attributes
        // and chosen at run time (Sources/CKernels/dispatch.c).
        .target(name: "CKernels", linkerSettings: [.linkedLibrary("sleef"), .linkedLibrary("m")]),
        .target(name: "Kernels", dependencies: ["CKernels", "CBLAS"]),
        .target(name: "VRNN", dependencies: ["Kernels"]),
        .target(name: "Training", dependencies: ["VRNN", "Kernels"]),
        .target(name: "Cluster", dependencies: ["Training", "CMPI"]),
        .target(name: "Storage", dependencies: ["CHDF5", "CSndFile", .product(name: "CSV", package: "CSV.swift")]),
        .target(name: "Pen", dependencies: ["Kernels"]),
        .target(name: "Drawing", dependencies: ["Pen"]),
        .target(name: "Runs", dependencies: ["Training", "Storage", "Drawing", "Pen", "VRNN", "Kernels"]),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Runs", "Cluster", "Training", "VRNN", "Storage", "Pen", "Kernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CKernels"]),
        .testTarget(name: "VRNNTests", dependencies: ["VRNN", "Kernels", "Training", "Storage"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "CHDF5", "CSndFile"]),
        .testTarget(name: "PenTests", dependencies: ["Pen", "Drawing", "Kernels"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "VRNN", "Kernels", "Cluster", "Storage", "CSndFile", "CHDF5"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "RunsTests", dependencies: ["Runs", "Training", "VRNN", "Storage", "Drawing"]),
    ]
)
