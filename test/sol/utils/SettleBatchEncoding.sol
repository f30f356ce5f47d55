// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../../../contracts/interfaces/IInferenceHub.sol";

/// @notice A `settleBatch` item as tests hold it before packing: the request as emitted, its output and proof.
struct SettleItem {
    bytes32 requestId;
    IInferenceHub.Request request;
    uint256[] output;
    bytes proof;
}

/// @notice A packed `settleBatch` call: its four arguments.
struct PackedBatch {
    address verifier;
    uint16 outputWords;
    uint16 inputWords;
    bytes items;
}

/// @notice Packs `settleBatch` items the way the hub reads them (see `IInferenceHub.settleBatch`), reading each
///         commitment's node and proof deadline from `requestState` (as the relayer does from `Committed`).
library SettleBatchEncoding {
    uint8 private constant SETTLE_CALLBACK_BIT = 2;

    /// @notice The call for `items`: the first item's verifier and word counts, every item packed.
    function pack(IInferenceHub hub, SettleItem[] memory items) internal view returns (PackedBatch memory batch) {
        if (items.length != 0) {
            batch.verifier = items[0].request.verifier;
            batch.outputWords = uint16(items[0].output.length);
            batch.inputWords = uint16(items[0].request.input.length);
        }
        for (uint256 i; i < items.length; ++i) {
            batch.items = bytes.concat(batch.items, packItem(hub, items[i]));
        }
    }

    /// @notice One item's bytes.
    function packItem(IInferenceHub hub, SettleItem memory item) internal view returns (bytes memory packed) {
        (, uint64 deadline, address node,) = hub.requestState(item.requestId);
        IInferenceHub.Request memory req = item.request;
        bool onSettle = req.callbackFlags & SETTLE_CALLBACK_BIT != 0;
        packed = bytes.concat(
            abi.encodePacked(
                item.requestId,
                node,
                deadline,
                req.modelFee,
                req.callbackFee,
                req.settlementFee,
                req.bond,
                onSettle ? req.callbackGasLimit : uint32(0),
                req.requester
            ),
            abi.encodePacked(item.output, req.input),
            item.proof
        );
    }

    /// @notice Sends the packed call.
    function submit(IInferenceHub hub, PackedBatch memory batch) internal {
        hub.settleBatch(batch.verifier, batch.outputWords, batch.inputWords, batch.items);
    }
}
