import Vapor
import Plot
import Domain
import AppCore

/// One location's day (or week) as a time grid: a column per provider (per day, in a week), 15-minute rows in the
/// location's own time, open time to click and book, appointments as blocks coloured by location and status (check
/// in from the block, details and the other actions in the card below). A week leaves out days nobody works there.
/// Phones get the list instead (CSS).
package struct LocationGrid {
    package struct Column {
        package let day: LocalDay
        package let providerID: UUID
        package let name: String
    }
    package struct Block {
        package let column: Int
        package let rows: (first: Int, count: Int)
        package let row: CalendarRow
    }
    package struct Open {
        package let column: Int
        package let row: Int
        package let start: Date
    }

    package let locationID: UUID
    package let days: [LocalDay]
    package let colour: Int
    package let zone: TimeZone
    package let columns: [Column]
    package let grid: DayGrid
    package let blocks: [Block]
    package let open: [Open]

    /// Columns, day by day, for every provider with open time or an appointment here that day (cancelled ones are
    /// only in the list).
    package init(
        location: UUID, colour: Int, dir: ScheduleDirectory, rows: [CalendarRow], open slots: [SchedulingStore.Slot],
        days: [LocalDay]
    ) {
        let zone = dir.zone(location)
        let here = rows.filter { $0.locationID == location && $0.status != .cancelled && days.contains($0.day) }
        let free = slots.filter { $0.locationId == location && days.contains(LocalDay.of($0.start, in: zone)) }
        let columns = days.flatMap { d in
            let ids = Set(here.filter { $0.day == d }.map(\.providerID)).union(
                free.filter { LocalDay.of($0.start, in: zone) == d }.map(\.providerId))
            return dir.providers.compactMap { p in p.id.flatMap { ids.contains($0) ? $0 : nil } }.map {
                Column(day: d, providerID: $0, name: dir.providerName($0))
            }
        }
        func minutes(_ span: TimeSpan) -> ClosedRange<Int> {
            let s = DayGrid.minuteOfDay(span.start, in: zone)
            let e =
                LocalDay.of(span.end, in: zone) == LocalDay.of(span.start, in: zone)
                ? DayGrid.minuteOfDay(span.end, in: zone) : 24 * 60
            return s...max(s, e)
        }
        let grid = DayGrid(
            covering: here.map { minutes($0.span) } + free.map { minutes(TimeSpan(start: $0.start, end: $0.end)) })
        func column(_ provider: UUID, _ at: Date) -> Int? {
            let d = LocalDay.of(at, in: zone)
            return columns.firstIndex { $0.providerID == provider && $0.day == d }
        }
        self.locationID = location
        self.days = days
        self.colour = colour
        self.zone = zone
        self.columns = columns
        self.grid = grid
        blocks = here.compactMap { r in
            let m = minutes(r.span)
            guard let c = column(r.providerID, r.span.start), let rows = grid.rows(from: m.lowerBound, to: m.upperBound)
            else {
                return nil
            }
            return Block(column: c, rows: rows, row: r)
        }
        open = free.compactMap { s in
            let m = DayGrid.minuteOfDay(s.start, in: zone)
            guard let c = column(s.providerId, s.start), let rows = grid.rows(from: m, to: m + 15) else { return nil }
            return Open(column: c, row: rows.first, start: s.start)
        }
    }

    /// Where a cell sits in the grid (1-based lines; row 1 is the header).
    private static func place<C>(column: Int, row: Int, span: Int = 1, across: Int = 1) -> Node<C> {
        .attribute(
            named: "style", value: "grid-column:\(column) / span \(across);grid-row:\(row) / span \(span)")
    }

    /// Header rows: a week has the day above its providers.
    private var headRows: Int { days.count > 1 ? 2 : 1 }

    package func render(req: Request, back: String) -> Node<HTML.BodyContext> {
        let head = headRows
        let layout =
            "grid-template-columns:4.5rem repeat(\(max(1, columns.count)),minmax(\(days.count > 1 ? 6 : 9)rem,1fr));"
            + "grid-template-rows:repeat(\(head),auto) repeat(\(grid.rowCount),2.75rem)"
        let dayHeads: [Node<HTML.BodyContext>] =
            head == 1
            ? []
            : days.compactMap { d in
                guard let first = columns.firstIndex(where: { $0.day == d }) else { return nil }
                let span = columns.filter { $0.day == d }.count
                return .div(
                    .class("tg-head tg-day"), Self.place(column: first + 2, row: 1, across: span),
                    .text(Format.day(d)))
            }
        let heads: [Node<HTML.BodyContext>] =
            [.div(.class("tg-head"), Self.place(column: 1, row: 1, span: head), .text(Format.zoneName(zone)))]
            + dayHeads
            + columns.indices.map { i in
                .div(.class("tg-head"), Self.place(column: i + 2, row: head), .text(columns[i].name))
            }
        let hours: [Node<HTML.BodyContext>] = (0..<grid.rowCount).filter { grid.minute(ofRow: $0) % 60 == 0 }.map {
            r in
            .div(
                .class("tg-time"), Self.place(column: 1, row: r + head + 1),
                .text(Self.hourLabel(grid.minute(ofRow: r))))
        }
        let cells: [Node<HTML.BodyContext>] = open.map { openCell($0) }
        let booked: [Node<HTML.BodyContext>] = blocks.map { block($0, req: req, back: back) }
        return .div(
            .class("tg-wrap"), Scrollable.focusable(),
            .div(
                .class("timegrid loc-\(colour % 3)"), .attribute(named: "data-location", value: locationID.uuidString),
                .attribute(named: "style", value: layout),
                .group(heads + hours + cells + booked)))
    }

    /// Free time: one tap to the booking form with this provider, place, day and time chosen.
    private func openCell(_ o: Open) -> Node<HTML.BodyContext> {
        let who = columns[o.column]
        let when = Format.time(o.start, zone: zone)
        let href =
            Site.scheduleBook.path() + "?date=\(who.day.iso)&location=\(locationID.uuidString)"
            + "&provider=\(who.providerID.uuidString)&at=\(Format.isoUTC(o.start))"
        let on = days.count > 1 ? " on \(Format.day(who.day))" : ""
        return .a(
            .class("tg-open"), Self.place(column: o.column + 2, row: o.row + headRows + 1), .href(href),
            .attribute(named: "aria-label", value: Escape.attribute("Book \(who.name) at \(when)\(on)")),
            .text(Format.time(o.start, zone: zone, withZone: false)))
    }

    private func block(_ b: Block, req: Request, back: String) -> Node<HTML.BodyContext> {
        let r = b.row
        return .div(
            .class("tg-blk"), .attribute(named: "data-status", value: r.status.rawValue),
            .attribute(named: "data-appointment", value: r.id.uuidString),
            Self.place(column: b.column + 2, row: b.rows.first + headRows + 1, span: b.rows.count),
            .a(
                .href("#appt-\(r.id.uuidString)"),
                .strong(.text(Format.time(r.span.start, zone: zone, withZone: false))), .text(" \(r.patient)")),
            // A short block keeps room for its check-in button; a longer one also says what and where it stands.
            .if(
                b.rows.count >= 3 || (b.rows.count == 2 && r.status != .booked),
                .small(.text("\(r.type) · \(r.status.label)"))),
            .if(
                r.status == .booked && b.rows.count >= 2,
                .form(
                    .action(Site.scheduleAppointment.path(r.id)), .method(.post), .class("inline"),
                    .div(
                        FormKit.csrf(req),
                        .input(.type(.hidden), .name("status"), .value(AppointmentStatus.checkedIn.rawValue)),
                        .input(.type(.hidden), .name("back"), .value(Escape.attribute(back))),
                        .button(.type(.submit), .class("tg-checkin"), .text("Check in")))))
        )
    }

    /// "9 AM", "12 PM".
    package static func hourLabel(_ minute: Int) -> String {
        let h = minute / 60 % 24
        return "\(h % 12 == 0 ? 12 : h % 12) \(h < 12 ? "AM" : "PM")"
    }
}
