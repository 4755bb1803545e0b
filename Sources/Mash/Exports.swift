// The facade re-exports the types a library user handles: diagnostics, values, decisions.
@_exported import MashCore
@_exported import MashRuntime
@_exported import MashSchema
@_exported import MashChecker
