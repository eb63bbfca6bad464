/**
 * An intrusive doubly linked FIFO: the node is the caller's own object (a waiter, a timer entry),
 * so pushing, shifting and removing any node from the middle are O(1) and allocate nothing.
 * Queues with cancellable waiters (an abort removes a waiter wherever it stands) need exactly
 * that; an array would make each abort O(n) and a Map would allocate per entry.
 */
export class ListNode {
  prev: ListNode | undefined = undefined;
  next: ListNode | undefined = undefined;
  /** The list holding this node, or undefined when it is in none. */
  owner: IntrusiveList<ListNode> | undefined = undefined;
}

export class IntrusiveList<N extends ListNode> {
  head: N | undefined = undefined;
  tail: N | undefined = undefined;
  size = 0;

  push(node: N): void {
    node.owner = this;
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail === undefined) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.size++;
  }

  /** Removes `node` if this list holds it; returns whether it did. */
  remove(node: N): boolean {
    if (node.owner !== (this as IntrusiveList<ListNode>)) return false;
    const { prev, next } = node;
    if (prev === undefined) this.head = next as N | undefined;
    else prev.next = next;
    if (next === undefined) this.tail = prev as N | undefined;
    else next.prev = prev;
    node.prev = node.next = node.owner = undefined;
    this.size--;
    return true;
  }

  shift(): N | undefined {
    const node = this.head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Moves every node of `other` to the end of this list, in order, in O(n). */
  append(other: IntrusiveList<N>): void {
    for (let node = other.shift(); node !== undefined; node = other.shift()) this.push(node);
  }
}
