import Foundation

/// A rule set as it was at a git revision: `rules/london@HEAD~1`, `rules/london@v2026.1`.
///
/// The folder's parent (for example `rules/`) is extracted at that revision into a temporary
/// folder, so a base rule set it `extends` is read at the same revision too. It runs the `git` and
/// `tar` commands; nothing is fetched from anywhere.
public enum RuleSetRevision {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `("rules/london", "HEAD~1")` for `rules/london@HEAD~1`; nil when the text names a folder as it is.
    public static func split(_ spec: String) -> (folder: String, revision: String)? {
        guard !FileManager.default.fileExists(atPath: spec), let at = spec.lastIndex(of: "@") else { return nil }
        let folder = String(spec[..<at]), revision = String(spec[spec.index(after: at)...])
        guard !folder.isEmpty, !revision.isEmpty else { return nil }
        return (folder, revision)
    }

    /// The folder of a checked-out copy of `folder` at `revision`.
    public static func materialize(folder: String, revision: String) throws -> String {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        let parent = (absolute as NSString).deletingLastPathComponent
        let root = try run("git", ["-C", parent, "rev-parse", "--show-toplevel"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let resolvedFolder = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().path
        guard resolvedFolder.hasPrefix(resolvedRoot + "/") else { throw Failure(description: "\(folder) is not inside the git repository at \(root)") }
        let relative = String(resolvedFolder.dropFirst(resolvedRoot.count + 1))
        let relativeParent = (relative as NSString).deletingLastPathComponent
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("mash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let archive = (target as NSString).appendingPathComponent("rules.tar")
        var arguments = ["-C", resolvedRoot, "archive", "--format=tar", "-o", archive, revision]
        if !relativeParent.isEmpty { arguments += ["--", relativeParent] }
        _ = try run("git", arguments)
        _ = try run("tar", ["-xf", archive, "-C", target])
        try? FileManager.default.removeItem(atPath: archive)
        let result = (target as NSString).appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: result, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(description: "\(relative) does not exist at revision \(revision)")
        }
        return result
    }

    private static func run(_ command: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw Failure(description: "cannot run \(command): \(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(command) \(arguments.joined(separator: " ")) failed: \(String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: o, as: UTF8.self)
    }
}
