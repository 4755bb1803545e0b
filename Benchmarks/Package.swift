// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Benchmarks live in their own package so that `swift build` and `swift test` of the project never
// build the benchmark framework. ordo-one/benchmark measures time, heap allocations (through its
// malloc interposer) and peak memory per benchmark, and compares runs against saved baselines.
//
// The project is a path dependency; SwiftPM names a path package after its folder, whatever the clone is called.
let projectFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "mash-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MashBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Mash", package: projectFolder),
                .product(name: "MashDryRun", package: projectFolder),
                .product(name: "MashStore", package: projectFolder),
            ],
            path: "Benchmarks/MashBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A driver for callgrind's instruction counts (see its main.swift): the same on every run.
        .executableTarget(
            name: "mash-profile",
            dependencies: [
                .product(name: "Mash", package: projectFolder),
                .product(name: "MashDryRun", package: projectFolder),
            ],
            path: "Profile/MashProfile"
        ),
    ]
)
