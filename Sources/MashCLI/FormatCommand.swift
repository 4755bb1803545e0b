import ArgumentParser
import Foundation
import Mash

struct FormatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Rewrite .mash files in the canonical layout.",
        discussion: "Exit 0 when done (or, with --check, nothing would change); 1 with --check when a file would change; 2 when a file cannot be parsed.")

    @Argument(help: ".mash files or folders (searched for .mash files).") var paths: [String]
    @Flag(help: "Change nothing; list the files that are not formatted and exit 1 if there are any.") var check = false
    @Flag(help: "Print the formatted text instead of rewriting the file.") var stdout = false

    func run() throws {
        let files = MashFiles.find(paths)
        for missing in files.missing { printError("error: no such file or folder: \(missing)") }
        var unformatted: [String] = []
        var failed = !files.missing.isEmpty
        for path in files.found {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                printError("error: cannot read \(path) as UTF-8 text")
                failed = true
                continue
            }
            let result = SourceFormatter.format(path: path, text: text)
            guard let formatted = result.text else {
                printError(result.rendered)
                failed = true
                continue
            }
            if stdout { print(formatted, terminator: ""); continue }
            guard formatted != text else { continue }
            unformatted.append(path)
            if check {
                print("\(path): not formatted")
            } else {
                do {
                    try formatted.write(toFile: path, atomically: true, encoding: .utf8)
                    print("formatted \(path)")
                } catch {
                    printError("error: cannot write \(path): \(error)")
                    failed = true
                }
            }
        }
        if failed { throw ExitCode(2) }
        if check && !unformatted.isEmpty { throw ExitCode(1) }
    }
}
