using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Cordon.Features.Passes;

/// <summary>
/// ECDsa objects are not documented as safe to share between threads: every sign or verify borrows an instance of its
/// own, created from the same key on demand and kept for the next call.
/// </summary>
internal sealed class EcdsaPool
{
    private readonly ConcurrentBag<ECDsa> _instances = [];
    private readonly Func<ECDsa> _create;

    public EcdsaPool(Func<ECDsa> create)
    {
        _create = create;
        // Fails here, once, for a key that cannot be loaded (a point not on the curve).
        _instances.Add(create());
    }

    public T Use<T>(Func<ECDsa, T> operation)
    {
        if (!_instances.TryTake(out var key)) key = _create();
        try
        {
            return operation(key);
        }
        finally
        {
            _instances.Add(key);
        }
    }
}
