/// Sets a value inside a raw document by a path like `child.mobile` or `referral.concerns[0].category`.
public enum RawPath {
    public enum Part: Sendable { case key(String), index(Int) }

    public static func parse(_ path: String) -> [Part]? {
        var parts: [Part] = []
        for piece in path.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(piece)
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
                indexes.insert(i, at: 0)
                name = name[..<open]
            }
            guard !name.isEmpty else { return nil }
            parts.append(.key(String(name)))
            parts += indexes.map(Part.index)
        }
        return parts.isEmpty ? nil : parts
    }

    public static func set(_ root: RawValue, path: String, to value: RawValue) -> RawValue? {
        guard let parts = parse(path) else { return nil }
        return set(root, parts[...], value)
    }

    private static func set(_ node: RawValue, _ parts: ArraySlice<Part>, _ value: RawValue) -> RawValue? {
        guard let first = parts.first else { return value }
        switch (first, node) {
        case (.key(let k), .map(var m)):
            guard let inner = set(m[k] ?? .map([:]), parts.dropFirst(), value) else { return nil }
            m[k] = inner
            return .map(m)
        case (.key(let k), .null):
            guard let inner = set(.map([:]), parts.dropFirst(), value) else { return nil }
            return .map([k: inner])
        case (.index(let i), .list(var l)):
            guard i >= 0, i < l.count, let inner = set(l[i], parts.dropFirst(), value) else { return nil }
            l[i] = inner
            return .list(l)
        default:
            return nil
        }
    }
}

extension Schema {
    /// The type of the field at a path like `referral.concerns[0].category`, or nil.
    public func type(at path: String) -> FieldType? {
        guard let parts = RawPath.parse(path) else { return nil }
        var type = FieldType.record(root)
        for part in parts {
            switch (part, type) {
            case (.key(let k), .record(let r)):
                guard let f = r.field(k) else { return nil }
                type = f.type
            case (.index, .list(let element)):
                type = element
            default:
                return nil
            }
        }
        return type
    }
}
