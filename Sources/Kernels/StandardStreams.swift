import Foundation

extension FileHandle {
    /// Writes `text` to a stream such as standard error. `write(_: Data)` traps when the write
    /// fails (a full disk behind a redirect, a closed pipe); here the message is lost instead
    /// and the process carries on to report or exit as it meant to.
    public func writeMessage(_ text: String) {
        try? write(contentsOf: Data(text.utf8))
    }
}
