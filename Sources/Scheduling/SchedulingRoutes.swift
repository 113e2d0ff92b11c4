import Vapor
import AppCore

/// Scheduling's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum SchedulingRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get("calendar", ":file", use: CalendarFeedController.feed)  // secret-URL iCalendar feed
        routes.app.get("assets", "picker.js", use: PatientPicker.script)
        routes.staff.get("schedule", use: SchedulePagesController.calendar)
        routes.staff.get("schedule", "my-day", use: SchedulePagesController.myDay)
        routes.staff.get("schedule", "book", use: SchedulePagesController.bookForm)
        routes.staff.get("schedule", "patient-search", use: PatientPicker.search)
        routes.staff.post("schedule", "book", use: SchedulePagesController.book)
        routes.staff.post("schedule", "appointments", ":id", use: SchedulePagesController.changeStatus)
        routes.staff.get("schedule", "appointments", ":id", "move", use: SchedulePagesController.moveForm)
        routes.staff.post("schedule", "appointments", ":id", "move", use: SchedulePagesController.move)
        routes.api.get("appointment-types", use: SchedulingAPIController.types)
        routes.api.get("slots", use: SchedulingAPIController.slots)
        routes.api.get("appointments", use: SchedulingAPIController.list)
        routes.api.post("appointments", use: SchedulingAPIController.book)
        routes.api.get("appointments", ":id", use: SchedulingAPIController.read)
        routes.api.patch("appointments", ":id", use: SchedulingAPIController.change)
        routes.api.get("rooms", use: SchedulingSetupAPI.rooms)
        routes.api.post("rooms", use: SchedulingSetupAPI.addRoom)
        routes.api.post("appointment-types", use: SchedulingSetupAPI.addType)
        routes.api.get("provider-hours", use: SchedulingSetupAPI.hours)
        routes.api.post("provider-hours", use: SchedulingSetupAPI.addHours)
        routes.api.post("availability-exceptions", use: SchedulingSetupAPI.addException)
        routes.api.post("location-hours", use: SchedulingSetupAPI.addOpeningHours)
        routes.api.put("scheduling-settings", use: SchedulingSetupAPI.setTravelBuffer)
        routes.api.post("calendar-feeds", use: CalendarFeedController.create)
        routes.api.delete("calendar-feeds", ":id", use: CalendarFeedController.revoke)
    }
}
