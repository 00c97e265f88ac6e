import ArgumentParser

/// Checks among a command's options that the parser cannot make (ranges, options that exclude one
/// another), run once parsing has succeeded (VRNNCommand.main). They are not validate():
/// swift-argument-parser validates a command before it looks for unknown options, so a typo such
/// as `vrnn train --txt FILE` would hear "give the data to train on" instead of "Unknown option".
protocol OptionChecks {
    func checkOptions() throws
}

/// An option group's checks run with its command's.
extension OptionGroup: OptionChecks where Value: OptionChecks {
    func checkOptions() throws { try wrappedValue.checkOptions() }
}

extension ParsableCommand {
    /// The checks of the command's option groups (its stored properties), then its own.
    func checkAllOptions() throws {
        for child in Mirror(reflecting: self).children { try (child.value as? OptionChecks)?.checkOptions() }
        try (self as? OptionChecks)?.checkOptions()
    }
}
