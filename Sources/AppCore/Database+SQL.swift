import Fluent
import SQLKit

extension Database {
    package var sql: any SQLDatabase { self as! any SQLDatabase }
    package var isPostgres: Bool { sql.dialect.name == "postgresql" }
}
