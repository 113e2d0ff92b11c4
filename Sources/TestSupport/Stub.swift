import XCTVapor; import App
