import ArgumentParser
import App
import Foundation

/// The practice's visit-note templates, kept as data: list them, add one or a new version of one.
struct NoteTemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note-templates", abstract: "Visit-note templates (SOAP sections of typed fields) kept as data.",
        subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest version of each template.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let rows = try await CareSyncCLI.noteTemplates(data.config)
                if json { print(CareSyncCLI.json(rows)); return }
                for r in rows { print("\(r.code) v\(r.version)  \(r.title)  (\(r.fields) fields)") }
                print("\(rows.count) templates.")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a template from a JSON file, or the next version of one with the same code.")
        @OptionGroup var data: DataOptions
        @Argument(help: "A JSON file: code (note-…), title, intro, sections of fields.") var file: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CareSync.execute {
                let r = try await CareSyncCLI.addNoteTemplate(data.config, file: file)
                if json { print(CareSyncCLI.json(r)); return }
                print("Added \(r.code) version \(r.version): \(r.title) (\(r.fields) fields).")
            }
        }
    }
}
