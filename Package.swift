// swift-tools-version:6.0
import PackageDescription

// The folder tree is the pipeline: source → tokens → syntax tree → checked rule set → compiled
// program → decision. Each target imports only the stages before it.
let package = Package(
    name: "mash-rules",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Mash", targets: ["Mash"]),
        .library(name: "MashDryRun", targets: ["MashDryRun"]),
        .library(name: "MashStore", targets: ["MashStore"]),
        .executable(name: "mash", targets: ["MashCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // SHA-256 content hashes of rule sets: decisions and logs must name exactly which policy text
        // produced them, and Foundation on Linux has no digest API.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // Referral stores and decision logs in SQLite (the system libsqlite3).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // Reading referral exports in CSV (quoted fields, embedded commas and line breaks).
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
    ],
    targets: [
        // Source files, spans, diagnostics and their rendering.
        .target(name: "MashCore"),
        // Lexer, syntax tree and recursive-descent parser following grammar/.
        .target(name: "MashSyntax", dependencies: ["MashCore"]),
        // Record schemas, runtime values and record decoding.
        .target(name: "MashSchema", dependencies: ["MashCore", .product(name: "Yams", package: "Yams")]),
        // Name resolution, types and rule-set merging; leaves the tree untouched.
        .target(name: "MashChecker", dependencies: [
            "MashCore", "MashSyntax", "MashSchema", .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        // Compiled program, evaluation, working-time calendar, decisions.
        .target(name: "MashRuntime", dependencies: ["MashCore", "MashSyntax", "MashSchema", "MashChecker", "MashPrefetch"]),
        // The processor's prefetch hint, which Swift does not expose: a C header of one inline function.
        .target(name: "MashPrefetch"),
        // Warnings about rule sets that check but are probably wrong: rules that can never fire,
        // decision-table gaps and overlaps, things declared and never produced.
        .target(name: "MashLint", dependencies: ["MashCore", "MashSyntax", "MashSchema", "MashChecker", "MashRuntime"]),
        // Canonical layout; depends on syntax only.
        .target(name: "MashFormat", dependencies: ["MashCore", "MashSyntax"]),
        // The small public facade: load a rule-set folder, check, compile, evaluate, render.
        .target(name: "Mash", dependencies: [
            "MashCore", "MashSyntax", "MashSchema", "MashChecker", "MashRuntime", "MashLint", "MashFormat",
            .product(name: "Yams", package: "Yams"),
            .product(name: "SwiftCSV", package: "SwiftCSV"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Test cases as data beside a rule set: loading, running, coverage, reports.
        .target(name: "MashHarness", dependencies: ["Mash", .product(name: "Yams", package: "Yams")]),
        // Impact of a rule change: synthetic referral histories, dry-runs of two rule sets, reports.
        .target(name: "MashDryRun", dependencies: ["Mash"]),
        // Referral stores and decision logs in SQLite: import, read back, log, reproduce.
        .target(name: "MashStore", dependencies: ["Mash", .product(name: "GRDB", package: "GRDB.swift")]),
        // The thin command-line tool.
        .executableTarget(name: "MashCLI", dependencies: [
            "Mash", "MashHarness", "MashDryRun", "MashStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Helpers that only tests use.
        .target(name: "MashTestSupport", dependencies: ["Mash", "MashHarness"], path: "Tests/MashTestSupport"),
        // MashCLI is a dependency so that `swift test` builds the `mash` binary the CLI tests run.
        .testTarget(name: "MashTests", dependencies: [
            "Mash", "MashHarness", "MashDryRun", "MashStore", "MashTestSupport", "MashCLI", .product(name: "Crypto", package: "swift-crypto"),
            // The store tests read its query plans and indexes.
            .product(name: "GRDB", package: "GRDB.swift"),
        ],
        // Read by path from the repository (the recorded decision digests, the FEEL conformance floor).
        exclude: ["london-decisions.sha256", "feel-conformance-floor.txt"]),
    ]
)
