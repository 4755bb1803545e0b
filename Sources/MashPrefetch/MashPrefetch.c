// Empty: the header is the module (static inline functions).
