import Foundation
import Fluent

extension Collection {
    /// A select's choices from saved records: (id, label) each. A record that was never saved has no id and no place
    /// in a list of choices.
    package func options<M: Model>(_ label: (M) -> String) -> [(value: String, label: String)]
    where Element == M, M.IDValue == UUID {
        compactMap { m in m.id.map { (value: $0.uuidString, label: label(m)) } }
    }
}
