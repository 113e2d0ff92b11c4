import Vapor
import AppCore

/// Scheduling's routes, on the site's route groups (the group says who may reach a route; the stores check the rest).
package enum SchedulingRoutes {
    package static func register(routes: SiteRoutes) {
        routes.app.get(Site.calendarFeedFile.route, use: CalendarFeedController.feed)  // secret-URL iCalendar feed
        routes.app.get(Site.assetsPickerScript.route, use: PatientPicker.script)
        routes.app.get(Site.assetsPrintScript.route, use: DaySheetPage.script)
        routes.staff.get(Site.schedule.route, use: SchedulePagesController.calendar)
        routes.staff.get(Site.scheduleMyDay.route, use: SchedulePagesController.myDay)
        routes.staff.get(Site.scheduleDaySheet.route, use: SchedulePagesController.daySheet)
        routes.staff.get(Site.scheduleBook.route, use: SchedulePagesController.bookForm)
        routes.staff.get(Site.schedulePatientSearch.route, use: PatientPicker.search)
        routes.staff.post(Site.scheduleBook.route, use: SchedulePagesController.book)
        routes.staff.post(Site.scheduleAppointment.route, use: SchedulePagesController.changeStatus)
        routes.staff.get(Site.scheduleAppointmentMove.route, use: SchedulePagesController.moveForm)
        routes.staff.post(Site.scheduleAppointmentMove.route, use: SchedulePagesController.move)
        routes.api.get(Site.apiAppointmentTypes.route, use: SchedulingAPIController.types)
        routes.api.get(Site.apiSlots.route, use: SchedulingAPIController.slots)
        routes.api.get(Site.apiAppointments.route, use: SchedulingAPIController.list)
        routes.api.post(Site.apiAppointments.route, use: SchedulingAPIController.book)
        routes.api.get(Site.apiAppointment.route, use: SchedulingAPIController.read)
        routes.api.patch(Site.apiAppointment.route, use: SchedulingAPIController.change)
        routes.api.get(Site.apiRooms.route, use: SchedulingSetupAPI.rooms)
        routes.api.post(Site.apiRooms.route, use: SchedulingSetupAPI.addRoom)
        routes.api.post(Site.apiAppointmentTypes.route, use: SchedulingSetupAPI.addType)
        routes.api.get(Site.apiProviderHours.route, use: SchedulingSetupAPI.hours)
        routes.api.post(Site.apiProviderHours.route, use: SchedulingSetupAPI.addHours)
        routes.api.post(Site.apiAvailabilityExceptions.route, use: SchedulingSetupAPI.addException)
        routes.api.post(Site.apiLocationHours.route, use: SchedulingSetupAPI.addOpeningHours)
        routes.api.put(Site.apiSchedulingSettings.route, use: SchedulingSetupAPI.setTravelBuffer)
        routes.api.post(Site.apiCalendarFeeds.route, use: CalendarFeedController.create)
        routes.api.delete(Site.apiCalendarFeed.route, use: CalendarFeedController.revoke)
    }
}
