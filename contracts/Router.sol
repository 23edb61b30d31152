// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Schnorr} from "./Schnorr.sol";

/// Holds the coins Serai's validators keep on this chain: deposits come in through `inInstruction`,
/// payouts go out in batches the validators' threshold key signs (networks/ethereum/router.ts
/// builds every signed message).
///
/// A signed call's message is its own calldata with the signature's two words replaced by
/// block.chainid and (address(this) << 96 | nonce); the key signs keccak256 of it. One nonce orders
/// every signed call; a reverted call does not consume it.
contract Router {
    using SafeERC20 for IERC20;

    struct Signature {
        bytes32 c;
        bytes32 s;
    }

    /// `coin` is the batch's: address(0) for ETH, else an ERC20.
    struct OutInstruction {
        address to;
        uint256 amount;
    }

    /// The nonce the next signed call must be signed under. It stays below 2**96 (it shares the
    /// domain word with the Router's address) and shares its slot with `escapedTo`, which every
    /// signed call reads.
    uint96 public nextNonce;
    /// Where every coin may be moved once the key invoked the escape hatch; 0 until then.
    address public escapedTo;
    /// A key set by `updateSeraiKey`, active once it signs `confirmNextSeraiKey`; 0 if none.
    bytes32 public nextSeraiKey;
    /// The active key (its x-coordinate); 0 until the constructor's key is confirmed.
    bytes32 public seraiKey;
    /// Payments that could not be sent when executed, kept for their payee: coin => payee => amount.
    mapping(address => mapping(address => uint256)) public owed;
    /// The sum of `owed` per coin: no batch may pay out what payees are owed.
    mapping(address => uint256) public totalOwed;
    /// Set while `execute` or `claim` runs: a coin calling back in could otherwise spend what an
    /// unfinished batch has yet to pay.
    bool private transient _entered;

    event NextSeraiKeySet(uint256 indexed nonce, bytes32 indexed key);
    event SeraiKeyUpdated(uint256 indexed nonce, bytes32 indexed key);
    event InInstruction(address indexed from, address indexed coin, uint256 amount, bytes instruction);
    /// Bit i % 8 of results[i / 8] is set iff out i was sent; an unset bit means it went to `owed`.
    event Executed(uint256 indexed nonce, bytes32 indexed messageHash, uint256 resultsLength, bytes results);
    event Claimed(address indexed coin, address indexed to, uint256 amount);
    event EscapeHatch(uint256 indexed nonce, address indexed escapeTo);
    event Escaped(address indexed coin, uint256 amount);

    error SeraiKeyWasNone();
    error InvalidSeraiKey();
    error InvalidSignature();
    error AmountMismatchesMsgValue();
    error InsufficientFunds();
    error NothingOwed();
    error Reentered();
    error EscapeHatchInvoked();
    error InvalidEscapeAddress();
    error EscapeAddressWasNotAContract();
    error EscapeHatchNotInvoked();

    modifier nonReentrant() {
        if (_entered) revert Reentered();
        _entered = true;
        _;
        _entered = false;
    }

    /// The initial key only becomes active when it signs `confirmNextSeraiKey` (nonce 1), so no
    /// deposit is taken under a key its holders cannot sign with.
    constructor(bytes32 initialSeraiKey) {
        _setNextSeraiKey(0, initialSeraiKey);
        nextNonce = 1;
    }

    /// Signed by the active key: sets the key that takes over once it confirms.
    function updateSeraiKey(Signature calldata signature, bytes32 newNextSeraiKey) external {
        (uint256 nonce, ) = _verifySignature(seraiKey, signature);
        _setNextSeraiKey(nonce, newNextSeraiKey);
    }

    /// Signed by the next key: makes it the active key, retiring the current one.
    function confirmNextSeraiKey(Signature calldata signature) external {
        bytes32 key = nextSeraiKey;
        (uint256 nonce, ) = _verifySignature(key, signature);
        nextSeraiKey = 0;
        seraiKey = key;
        emit SeraiKeyUpdated(nonce, key);
    }

    /// A deposit of `amount` of `coin` (address(0): ETH, sent as msg.value) with its instruction
    /// for Serai. Tokens that take a fee on transfer are not supported.
    function inInstruction(address coin, uint256 amount, bytes calldata instruction) external payable {
        if (escapedTo != address(0)) revert EscapeHatchInvoked();
        if (seraiKey == 0) revert SeraiKeyWasNone();
        if (msg.value != (coin == address(0) ? amount : 0)) revert AmountMismatchesMsgValue();
        if (coin != address(0)) IERC20(coin).safeTransferFrom(msg.sender, address(this), amount);
        emit InInstruction(msg.sender, coin, amount, instruction);
    }

    /// Signed by the active key: pays every out in `coin`, then `fee` to whoever relays the call.
    /// A payment the payee's side refuses is kept in `owed` for it to claim; a batch the Router
    /// cannot fund reverts whole, its nonce unused.
    function execute(
        Signature calldata signature,
        address coin,
        uint256 fee,
        OutInstruction[] calldata outs
    ) external nonReentrant {
        (uint256 nonce, bytes32 messageHash) = _verifySignature(seraiKey, signature);

        uint256 total = fee;
        for (uint256 i; i < outs.length; i++) total += outs[i].amount;
        uint256 balance = coin == address(0) ? address(this).balance : IERC20(coin).balanceOf(address(this));
        if (balance < totalOwed[coin] + total) revert InsufficientFunds();

        bytes memory results = new bytes((outs.length + 7) / 8);
        for (uint256 i; i < outs.length; i++) {
            if (_pay(coin, outs[i].to, outs[i].amount)) results[i / 8] |= bytes1(uint8(1 << (i % 8)));
        }
        emit Executed(nonce, messageHash, outs.length, results);
        if (fee != 0) _pay(coin, msg.sender, fee);
    }

    /// Signed by the active key, once: the Router takes no deposit and runs no signed call again,
    /// and anyone may move each coin to `escapeTo` (a contract: the validators' way out when the key
    /// must be abandoned, Serai's escape hatch).
    function escapeHatch(Signature calldata signature, address escapeTo) external {
        if (escapeTo == address(0)) revert InvalidEscapeAddress();
        if (escapeTo.code.length == 0) revert EscapeAddressWasNotAContract();
        (uint256 nonce, ) = _verifySignature(seraiKey, signature);
        escapedTo = escapeTo;
        emit EscapeHatch(nonce, escapeTo);
    }

    /// After the escape hatch: moves the Router's `coin` to `escapedTo`, all but what payees are
    /// owed (they still claim it). Anyone may call it.
    function escape(address coin) external nonReentrant {
        address to = escapedTo;
        if (to == address(0)) revert EscapeHatchNotInvoked();
        uint256 balance = coin == address(0) ? address(this).balance : IERC20(coin).balanceOf(address(this));
        uint256 amount = balance - totalOwed[coin];
        if (coin == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(coin).safeTransfer(to, amount);
        emit Escaped(coin, amount);
    }

    /// Sends `to` all it is owed in `coin`, with all the gas this call has. Anyone may call it.
    function claim(address coin, address to) external nonReentrant {
        uint256 amount = owed[coin][to];
        if (amount == 0) revert NothingOwed();
        owed[coin][to] = 0;
        totalOwed[coin] -= amount;
        if (coin == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(coin).safeTransfer(to, amount);
        emit Claimed(coin, to, amount);
    }

    function _setNextSeraiKey(uint256 nonce, bytes32 key) private {
        if (key == 0) revert InvalidSeraiKey();
        nextSeraiKey = key;
        emit NextSeraiKeySet(nonce, key);
    }

    /// Checks `signature` by `key` over this call's message and consumes the nonce. Every signed
    /// function takes the signature first, so it is calldata[4..68].
    function _verifySignature(
        bytes32 key,
        Signature calldata signature
    ) private returns (uint256 nonce, bytes32 messageHash) {
        if (escapedTo != address(0)) revert EscapeHatchInvoked();
        if (key == 0) revert SeraiKeyWasNone();
        nonce = nextNonce;
        // The nonce stays below 2**96, clear of the address's bits.
        bytes32 domain = bytes32((uint256(uint160(address(this))) << 96) | nonce);
        messageHash = keccak256(bytes.concat(msg.data[:4], bytes32(block.chainid), domain, msg.data[68:]));
        if (!Schnorr.verify(key, messageHash, signature.c, signature.s)) revert InvalidSignature();
        nextNonce = uint96(nonce + 1);
    }

    /// Sends `amount` of `coin` to `to`, or keeps it in `owed` if that fails.
    function _pay(address coin, address to, uint256 amount) private returns (bool paid) {
        if (coin == address(0)) {
            // Only the 2300-gas stipend: each payee costs a bounded gas the signed fee can cover;
            // a payee that needs more claims. No return data is copied.
            assembly ("memory-safe") {
                paid := call(0, to, amount, 0, 0, 0, 0)
            }
        } else {
            paid = IERC20(coin).trySafeTransfer(to, amount);
        }
        if (!paid) {
            owed[coin][to] += amount;
            totalOwed[coin] += amount;
        }
    }
}
