import CommunisServices
import HummingbirdBcrypt
import NIOPosix

/// bcrypt from hummingbird-auth. Hashing takes ~0.25 s at cost 12 by design, so it runs on
/// NIO's blocking thread pool instead of holding a Swift concurrency thread.
public struct BcryptPasswordHasher: PasswordHasher {
    let cost: UInt8

    public init(cost: UInt8) { self.cost = cost }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }) ?? Bcrypt.hash(password, cost: cost)
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }
}
