/// The built-in functions, by their FEEL names.
public enum Builtin: String, Sendable, Hashable, CaseIterable {
    case count, sum, min, max, mean, all, any
    case stringLength = "string length", upperCase = "upper case", lowerCase = "lower case"
    case contains, startsWith = "starts with", endsWith = "ends with"
    case substring, substringBefore = "substring before", substringAfter = "substring after"
    case listContains = "list contains", distinctValues = "distinct values"
    case date, dateAndTime = "date and time", duration, yearsAndMonthsDuration = "years and months duration"
    case abs, floor, ceiling, string
    case dayOfWeek = "day of week"
    case modulo, sqrt, log, exp, even, odd, median, product, decimal, number
    case stringJoin = "string join"
    case roundUp = "round up", roundDown = "round down", roundHalfUp = "round half up", roundHalfDown = "round half down"
    case time, `is`, replace, matches, split, mode, stddev
    case append, concatenate, insertBefore = "insert before", remove, reverse, indexOf = "index of", union, sublist, flatten
    case listReplace = "list replace"
    case dayOfYear = "day of year", weekOfYear = "week of year", monthOfYear = "month of year"
}
