import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";

/** A client for reads, log queries and receipts. */
export type ReadClient = PublicClient<Transport, Chain | undefined>;

/** The clients an action that sends transactions needs: the wallet must carry its account. */
export type SdkClients = {
  publicClient: ReadClient;
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
};
